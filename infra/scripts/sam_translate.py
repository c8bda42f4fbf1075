"""Translate template.yaml to CloudFormation offline, as `sam validate` does, and fail on any error.

Runs in the SAM tools venv (.tools/sam). Managed policy names are resolved from a fixed map instead of IAM, so
nothing reaches AWS.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from samtranslator.public.translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class OfflinePolicyLoader(ManagedPolicyLoader):  # type: ignore[misc]
    def __init__(self) -> None:  # no IAM client: nothing is looked up
        pass

    def load(self) -> dict[str, str]:
        return {}


_LOCAL_CODE = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::LayerVersion": "ContentUri"}


def _placeholder_code_uris(template: dict[str, Any]) -> None:
    """`sam validate` does the same: local code folders are what `sam build` packages, not S3 URIs yet."""
    for resource in template.get("Resources", {}).values():
        key = _LOCAL_CODE.get(resource.get("Type", ""))
        properties = resource.get("Properties", {})
        if key and isinstance(properties.get(key), str) and not properties[key].startswith("s3://"):
            properties[key] = f"s3://local-build/{properties[key].strip('/')}"


def main() -> int:
    template_path = Path(sys.argv[1] if len(sys.argv) > 1 else "template.yaml")
    template = yaml_parse(template_path.read_text())
    _placeholder_code_uris(template)
    output = transform(template, {}, OfflinePolicyLoader())
    resources = output["Resources"]
    target = Path(".aws-sam") / "translated.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(output, indent=1, default=str))
    print(f"SAM translation: {len(resources)} CloudFormation resources, written to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
