"""template.yaml as the local stack reads it: CloudFormation tags, parameters, conditions and intrinsics.

Only what Ponte's template uses is resolved; anything else fails loudly, so that a template change the local stack
cannot follow is noticed at once instead of being half-emulated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class TemplateError(Exception):
    """The template uses something the local stack cannot resolve."""


# libyaml's parser where PyYAML was built with it: the template is read on every build, and the pure-Python parser
# takes most of a second over it.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CfnLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    pass


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _tag)


def load_template(path: Path) -> dict[str, Any]:
    document = yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(document, dict) or "Resources" not in document:
        raise TemplateError(f"{path} is not a CloudFormation template")
    return document


@dataclass
class Pseudo:
    region: str = "us-east-1"
    account_id: str = "123456789012"
    stack_name: str = "ponte-local"

    def values(self) -> dict[str, str]:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/{self.stack_name}/local",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }


_NO_VALUE = object()


@dataclass
class Resolver:
    """Resolves intrinsic functions against parameters, conditions and the physical resources made so far."""

    parameters: dict[str, Any]
    conditions: dict[str, Any]
    pseudo: Pseudo
    refs: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    _condition_values: dict[str, bool] = field(default_factory=dict)

    def condition(self, name: str) -> bool:
        if name not in self._condition_values:
            if name not in self.conditions:
                raise TemplateError(f"unknown condition {name}")
            self._condition_values[name] = bool(self.resolve(self.conditions[name]))
        return self._condition_values[name]

    def resolve(self, value: Any) -> Any:
        resolved = self._resolve(value)
        return None if resolved is _NO_VALUE else resolved

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [item for item in (self._resolve(v) for v in value) if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((name, argument),) = value.items()
            if name == "Ref" or name.startswith("Fn::") or name == "Condition":
                return self._intrinsic(name, argument)
        return {k: v for k, v in ((k, self._resolve(v)) for k, v in value.items()) if v is not _NO_VALUE}

    def _intrinsic(self, name: str, argument: Any) -> Any:  # noqa: PLR0911 - one branch per intrinsic
        if name == "Ref":
            return self.ref(argument)
        if name == "Condition":
            return self.condition(argument)
        if name == "Fn::GetAtt":
            logical_id, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
            return self.get_att(logical_id, attribute)
        if name == "Fn::Sub":
            return self._sub(argument)
        if name == "Fn::If":
            condition, when_true, when_false = argument
            return self._resolve(when_true if self.condition(condition) else when_false)
        if name == "Fn::Equals":
            left, right = (self._resolve(v) for v in argument)
            return left == right
        if name == "Fn::Not":
            return not self._truth(argument[0])
        if name == "Fn::And":
            return all(self._truth(v) for v in argument)
        if name == "Fn::Or":
            return any(self._truth(v) for v in argument)
        if name == "Fn::Join":
            separator, items = argument
            return separator.join(str(v) for v in self._resolve(items))
        if name == "Fn::Select":
            index, items = argument
            return self._resolve(items)[int(self._resolve(index))]
        if name == "Fn::Split":
            separator, text = argument
            return str(self._resolve(text)).split(separator)
        raise TemplateError(f"the local stack does not resolve {name}")

    def _truth(self, value: Any) -> bool:
        if isinstance(value, dict) and set(value) == {"Condition"}:
            return self.condition(value["Condition"])
        return bool(self._resolve(value))

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        pseudo = self.pseudo.values()
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.refs:
            return self.refs[name]
        raise TemplateError(f"Ref to {name}, which is not a parameter or a resource made so far")

    def get_att(self, logical_id: str, attribute: str) -> Any:
        try:
            return self.attributes[logical_id][attribute]
        except KeyError:
            raise TemplateError(f"GetAtt {logical_id}.{attribute} is not available locally") from None

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        variables = {k: self._resolve(v) for k, v in variables.items()}

        def replace(match: re.Match[str]) -> str:
            expression = match.group(1)
            if expression.startswith("!"):
                return "${" + expression[1:] + "}"
            if expression in variables:
                return str(variables[expression])
            if "." in expression and not expression.startswith("AWS::"):
                logical_id, attribute = expression.split(".", 1)
                return str(self.get_att(logical_id, attribute))
            return str(self.ref(expression))

        return re.sub(r"\$\{([^}]+)\}", replace, text)


def references(value: Any) -> set[str]:
    """Logical ids a piece of template refers to (Ref, GetAtt, and names inside Sub strings)."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= references(item)
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                found.add(inner[0] if isinstance(inner, list) else inner.split(".", 1)[0])
            elif key == "Fn::Sub":
                text = inner if isinstance(inner, str) else inner[0]
                found |= {m.split(".", 1)[0] for m in re.findall(r"\$\{([^}!]+)\}", text)}
                if not isinstance(inner, str):
                    found |= references(inner[1])
            else:
                found |= references(inner)
    return found


def parameter_values(template: dict[str, Any], overrides: dict[str, str]) -> dict[str, Any]:
    declared = template.get("Parameters", {})
    unknown = set(overrides) - set(declared)
    if unknown:
        raise TemplateError(f"unknown template parameters: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        value = overrides.get(name, spec.get("Default"))
        if value is None:
            raise TemplateError(f"parameter {name} has no default; pass it to LocalStack(parameters=...)")
        allowed = spec.get("AllowedValues")
        if allowed and value not in allowed:
            raise TemplateError(f"parameter {name}={value!r} is not one of {allowed}")
        pattern = spec.get("AllowedPattern")
        if pattern and not re.fullmatch(pattern, str(value)):
            raise TemplateError(f"parameter {name}={value!r} does not match {pattern}")
        if spec.get("Type") == "CommaDelimitedList":
            value = [item.strip() for item in str(value).split(",") if item.strip()]
        values[name] = value
    return values
