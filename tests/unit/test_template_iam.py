"""Least privilege: every IAM statement of template.yaml names its resources, or says beside it why it cannot.

The statements are read from the template as written (functions' inline policies, IAM roles and policies, and the
key's policy), with the line each one is on, so that a wildcard resource is accepted only with a comment on the
lines just above its statement or its `Resource`. An action wildcard (`dynamodb:*`, `kms:GenerateDataKey*`) is never
accepted in a role's policy. What SAM adds on its own is checked twice: by rule (a polling trigger on a role SAM
generates brings an AWS managed policy whose resource is "*"), and, when the SAM tools venv is there, on SAM's own
translation of the template.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from infra.local.template import load_template
from tests.support import ROOT

TEMPLATE_PATH = ROOT / "template.yaml"
LINES = TEMPLATE_PATH.read_text().splitlines()
TEMPLATE = load_template(TEMPLATE_PATH)

# AWS managed policies a function's role may carry, and why: both only write telemetry. The logs policy cannot be
# narrowed to the function's log group, whose name comes from the function, which is made after its role.
TELEMETRY = {
    "service-role/AWSLambdaBasicExecutionRole": "its logs",
    "AWSXrayWriteOnlyAccess": "X-Ray traces: PutTraceSegments has no resource-level permission",
}
# SAM policy templates that expand to statements naming exactly the one resource they are given.
EXACT_POLICY_TEMPLATES = {
    "SNSPublishMessagePolicy": "sns:Publish on one topic",
    "EventBridgePutEventsPolicy": "events:PutEvents on one bus",
    "SQSSendMessagePolicy": "sqs:SendMessage to one queue",
    "SSMParameterReadPolicy": "one parameter",
    "AWSSecretsManagerGetSecretValuePolicy": "one secret",
}
# Triggers that SAM serves by attaching an AWS managed policy with Resource "*" to the role it generates.
POLLING_TRIGGERS = {"SQS", "DynamoDB", "Kinesis", "MQ", "MSK", "SelfManagedKafka", "DocumentDB"}
RESOURCE_POLICIES = {
    "AWS::KMS::Key": ("KeyPolicy",),
    "AWS::S3::BucketPolicy": ("PolicyDocument",),
    "AWS::SNS::TopicPolicy": ("PolicyDocument",),
    "AWS::SQS::QueuePolicy": ("PolicyDocument",),
}
MIN_REASON = 20  # characters of comment: a reason, not a marker


def _value(node: yaml.Node) -> Any:
    """A node as the project's loader reads it (short-form intrinsics become their long form)."""
    if isinstance(node, yaml.ScalarNode):
        value: Any = node.value
    elif isinstance(node, yaml.SequenceNode):
        value = [_value(item) for item in node.value]
    else:
        value = {key.value: _value(item) for key, item in node.value}
    if node.tag.startswith("!"):
        name = node.tag[1:]
        if name == "Ref":
            return {"Ref": value}
        if name == "GetAtt" and isinstance(value, str):
            return {"Fn::GetAtt": value.split(".", 1)}
        return {f"Fn::{name}": value}
    return value


def _get(node: yaml.Node | None, *path: str) -> yaml.Node | None:
    for key in path:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((item for k, item in node.value if k.value == key), None)
    return node


def _key_line(node: yaml.MappingNode, key: str) -> int | None:
    return next((k.start_mark.line for k, _ in node.value if k.value == key), None)


def _branches(node: yaml.Node) -> Iterator[yaml.Node]:
    """The node, or both outcomes of an `!If` (a statement or policy present under a condition)."""
    if node.tag in {"!If", "Fn::If"} and isinstance(node, yaml.SequenceNode):
        for outcome in node.value[1:]:
            yield from _branches(outcome)
    elif isinstance(node, yaml.MappingNode) and len(node.value) == 1 and node.value[0][0].value == "Fn::If":
        for outcome in node.value[0][1].value[1:]:
            yield from _branches(outcome)
    elif not (isinstance(node, yaml.ScalarNode) and node.tag == "!Ref" and node.value == "AWS::NoValue"):
        yield node


@dataclass
class Statement:
    resource: str  # the template resource it belongs to
    node: yaml.MappingNode
    identity: bool  # in a role's policy (else a resource policy: the key's, a bucket's, a topic's)

    @property
    def fields(self) -> dict[str, Any]:
        return _value(self.node)  # type: ignore[no-any-return]

    @property
    def where(self) -> str:
        return f"{self.resource} line {self.node.start_mark.line + 1} ({self.fields.get('Sid', 'no Sid')})"

    def justification(self) -> str:
        """The comment on the lines just above the statement or its Resource, or at the end of its Resource."""
        lines = [self.node.start_mark.line]
        resource_line = _key_line(self.node, "Resource")
        if resource_line is not None:
            lines.append(resource_line)
        found = []
        for line in lines:
            above = line - 1
            while above >= 0 and LINES[above].strip().startswith("#"):
                found.append(LINES[above].strip().lstrip("#").strip())
                above -= 1
        if resource_line is not None and "#" in LINES[resource_line].split(":", 1)[1]:
            found.append(LINES[resource_line].split("#", 1)[1].strip())
        return " ".join(found)


def _statements_of(document: yaml.Node | None, resource: str, *, identity: bool) -> Iterator[Statement]:
    listed = _get(document, "Statement")
    for statement_list in _branches(listed) if listed is not None else ():
        items = statement_list.value if isinstance(statement_list, yaml.SequenceNode) else [statement_list]
        for item in items:
            for branch in _branches(item):
                assert isinstance(branch, yaml.MappingNode), f"{resource}: a statement that is not a mapping"
                yield Statement(resource, branch, identity)


def _resources() -> Iterator[tuple[str, str, yaml.MappingNode]]:
    root = yaml.compose("\n".join(LINES))
    resources = _get(root, "Resources")
    assert isinstance(resources, yaml.MappingNode)
    for key, node in resources.value:
        assert isinstance(node, yaml.MappingNode)
        yield key.value, _value(_get(node, "Type")), node  # type: ignore[arg-type]


def _role_policies(node: yaml.MappingNode) -> Iterator[yaml.Node]:
    policies = _get(node, "Properties", "Policies")
    for policy in policies.value if isinstance(policies, yaml.SequenceNode) else ():
        yield from _branches(policy)


def statements() -> list[Statement]:
    """Every statement of every policy in the template, as written."""
    found: list[Statement] = []
    for logical_id, kind, node in _resources():
        if kind == "AWS::Serverless::Function":
            for policy in _role_policies(node):
                if isinstance(policy, yaml.MappingNode) and _get(policy, "Statement") is not None:
                    found += _statements_of(policy, logical_id, identity=True)
        elif kind == "AWS::IAM::Role":
            for policy in _role_policies(node):
                found += _statements_of(_get(policy, "PolicyDocument"), logical_id, identity=True)
        elif kind in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}:
            found += _statements_of(_get(node, "Properties", "PolicyDocument"), logical_id, identity=True)
        elif kind in RESOURCE_POLICIES:
            document = _get(node, "Properties", *RESOURCE_POLICIES[kind])
            found += _statements_of(document, logical_id, identity=False)
    return found


def _texts(value: Any) -> Iterator[str]:
    """The literal text of a Resource value: strings, the template of a Sub, the parts of a Join."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict) and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        yield sub if isinstance(sub, str) else sub[0]
    elif isinstance(value, dict) and "Fn::Join" in value:
        yield "".join(part for part in value["Fn::Join"][1] if isinstance(part, str))
    elif isinstance(value, dict) and "Fn::If" in value:
        yield from _texts(value["Fn::If"][1:])


def wildcards(statement: Statement) -> list[str]:
    fields = statement.fields
    return [text for text in _texts(fields.get("Resource", [])) if "*" in text]


def _actions(fields: dict[str, Any]) -> list[str]:
    actions = fields.get("Action", [])
    return [actions] if isinstance(actions, str) else list(actions)


STATEMENTS = statements()


def test_the_statements_are_all_found() -> None:
    sids = {s.fields.get("Sid") for s in STATEMENTS}
    # One from each place a statement can be: a role, a separate policy, a function, and the key's policy.
    assert {"ReadTheTablesStream", "RemoveTheHandledUpload", "DueIndexOnly", "AccountAdministers"} <= sids
    assert "CustomerEmailFromTheBusinessIdentity" in sids  # under a condition too
    assert len(STATEMENTS) > 30


def test_no_role_may_use_an_action_wildcard() -> None:
    offending = [
        f"{s.where}: {action}" for s in STATEMENTS if s.identity for action in _actions(s.fields) if "*" in action
    ]
    assert offending == [], "name each action: " + "; ".join(offending)
    assert not [s.where for s in STATEMENTS if "NotAction" in s.fields or "NotResource" in s.fields]


def test_every_wildcard_resource_is_justified_beside_it() -> None:
    unexplained = [
        f"{s.where}: {', '.join(wildcards(s))}"
        for s in STATEMENTS
        if s.fields.get("Effect") == "Allow" and wildcards(s) and len(s.justification()) < MIN_REASON
    ]
    assert unexplained == [], "name the resource, or say in a comment just above why it cannot be: " + "; ".join(
        unexplained
    )
    # Each justified wildcard has a Sid, so that it is recognised in SAM's translation too.
    assert all(s.fields.get("Sid") for s in STATEMENTS if wildcards(s))


def test_a_justification_is_only_what_is_just_above() -> None:
    statement = next(s for s in STATEMENTS if s.fields.get("Sid") == "CustomerSmsToPhones")
    assert "no ARN" in statement.justification()
    statement = next(s for s in STATEMENTS if s.fields.get("Sid") == "DrainTheWorkQueue")
    assert statement.justification() == ""  # the comments above its role do not count


def test_roles_carry_only_the_managed_telemetry_policies_and_say_why() -> None:
    for logical_id, kind, node in _resources():
        properties = _get(node, "Properties")
        arns = _get(properties, "ManagedPolicyArns")
        if kind != "AWS::IAM::Role" or arns is None:
            continue
        for arn in _texts(_value(arns)):
            assert arn.split(":policy/", 1)[1] in TELEMETRY, f"{logical_id}: {arn}"
        assert isinstance(properties, yaml.MappingNode)
        key_line = _key_line(properties, "ManagedPolicyArns")
        assert key_line is not None and LINES[key_line - 1].strip().startswith("#"), (
            f"{logical_id}: say above ManagedPolicyArns why they are needed"
        )


def test_a_function_with_a_polling_trigger_has_a_role_of_its_own() -> None:
    assert not {"Role", "Policies"} & set(TEMPLATE.get("Globals", {}).get("Function", {}))
    for logical_id, resource in TEMPLATE["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        properties = resource["Properties"]
        triggers = {event["Type"] for event in properties.get("Events", {}).values()}
        if triggers & POLLING_TRIGGERS:
            assert "Role" in properties, f"{logical_id}: SAM's role for {triggers & POLLING_TRIGGERS} reads any"
            assert "Policies" not in properties, f"{logical_id}: with a Role, SAM ignores Policies"
        for policy in properties.get("Policies", []):
            assert not isinstance(policy, str), f"{logical_id}: managed policy {policy} in Policies"
            if isinstance(policy, dict) and "Statement" not in policy and "Fn::If" not in policy:
                (name,) = policy
                assert name in EXACT_POLICY_TEMPLATES, f"{logical_id}: policy template {name} is not known exact"


def _statements_for(role: str) -> list[dict[str, Any]]:
    return [s.fields for s in STATEMENTS if s.resource == role] + [
        s.fields
        for s in STATEMENTS
        if TEMPLATE["Resources"][s.resource]["Type"] == "AWS::IAM::Policy"
        and {"Ref": role} in TEMPLATE["Resources"][s.resource]["Properties"]["Roles"]
    ]


def _granted(role: str, action: str) -> list[Any]:
    resources: list[Any] = []
    for fields in _statements_for(role):
        if action in _actions(fields):
            value = fields["Resource"]
            resources += value if isinstance(value, list) else [value]
    return resources


def test_each_queue_consumer_drains_only_its_own_queue_and_the_notifier_reads_only_the_tables_stream() -> None:
    functions = TEMPLATE["Resources"]
    for function, role in (("DunningWorker", "DunningWorkerRole"), ("InvoiceUpload", "InvoiceUploadRole")):
        assert functions[function]["Properties"]["Role"] == {"Fn::GetAtt": [role, "Arn"]}
        queues = [
            e["Properties"]["Queue"] for e in functions[function]["Properties"]["Events"].values() if e["Type"] == "SQS"
        ]
        for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage"):
            assert _granted(role, action) == queues
    assert functions["Notifier"]["Properties"]["Role"] == {"Fn::GetAtt": ["NotifierRole", "Arn"]}
    for action in ("dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream"):
        assert _granted("NotifierRole", action) == [{"Fn::GetAtt": ["Table", "StreamArn"]}]
    assert _granted("NotifierRole", "dynamodb:ListStreams") == [{"Fn::Sub": "${Table.Arn}/stream/*"}]


def test_the_upload_function_deletes_and_reads_only_under_incoming() -> None:
    incoming = [{"Fn::Sub": "${InvoicesBucket.Arn}/incoming/*"}]
    for action in ("s3:DeleteObject", "s3:DeleteObjectVersion", "s3:GetObject", "s3:GetObjectVersion"):
        assert _granted("InvoiceUploadRole", action) == incoming
    assert _granted("InvoiceUploadRole", "s3:PutObject") == [
        {"Fn::Sub": "${InvoicesBucket.Arn}/processed/*"},
        {"Fn::Sub": "${InvoicesBucket.Arn}/quarantine/*"},
    ]


# SAM's own translation (what `make template` runs), when the SAM tools venv is there.
SAM_PYTHON = ROOT / ".tools" / "sam" / "bin" / "python"
TRANSLATE = """
import json, sys
from pathlib import Path
sys.path.insert(0, "infra/scripts")
import sam_translate
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse
template = yaml_parse(Path("template.yaml").read_text())
sam_translate._placeholder_code_uris(template)
print(json.dumps(transform(template, {}, sam_translate.OfflinePolicyLoader()), default=str))
"""


@pytest.fixture(scope="module")
def translated() -> dict[str, Any]:
    if not SAM_PYTHON.exists():
        pytest.skip("the SAM tools venv (.tools/sam) is not installed; `make template` installs it")
    environment = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}
    done = subprocess.run(
        [str(SAM_PYTHON), "-c", TRANSLATE], cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _translated_statements(resource: dict[str, Any]) -> Iterator[dict[str, Any]]:
    properties = resource["Properties"]
    documents = [properties["PolicyDocument"]] if "PolicyDocument" in properties else []
    for policy in properties.get("Policies", []):
        for outcome in policy["Fn::If"][1:] if "Fn::If" in policy else [policy]:
            if isinstance(outcome, dict) and "PolicyDocument" in outcome:
                documents.append(outcome["PolicyDocument"])
    for document in documents:
        yield from document["Statement"]


def test_sams_translation_adds_no_wildcard_of_its_own(translated: dict[str, Any]) -> None:
    justified = {s.fields["Sid"] for s in STATEMENTS if wildcards(s)}
    roles = {
        lid: r for lid, r in translated["Resources"].items() if r["Type"] in {"AWS::IAM::Role", "AWS::IAM::Policy"}
    }
    assert {"NotifierRole", "DunningWorkerRole", "InvoiceUploadRole", "PaymentWebhookRole"} <= set(roles)
    for logical_id, resource in roles.items():
        for arn in _texts(resource["Properties"].get("ManagedPolicyArns", [])):
            assert arn.split(":policy/", 1)[1] in TELEMETRY, f"{logical_id}: {arn}"
        for statement in _translated_statements(resource):
            assert not [a for a in _actions(statement) if "*" in a], f"{logical_id}: {statement}"
            resources = [t for t in _texts(statement.get("Resource", [])) if "*" in t]
            assert not resources or statement.get("Sid") in justified, f"{logical_id}: {statement}"
