"""The dunning policy in SSM: cached, validated, and the newest valid version kept when an edit is refused."""

from __future__ import annotations

import json

import pytest

from infra.local import LocalStack
from ponte.adapters.policy_store import PolicyStore
from ponte.domain.errors import InvalidInput
from ponte.domain.policy import default_policy_text


def _version(text: str, version: int, **changes: object) -> str:
    document = json.loads(text)
    document.update({"version": version, **changes})
    return json.dumps(document)


def test_a_refused_edit_keeps_the_newest_valid_version_even_on_a_cold_container(stack: LocalStack) -> None:
    ssm, name = stack.client("ssm"), stack.physical_id("DunningPolicyParameter")
    ssm.put_parameter(Name=name, Value=_version(default_policy_text(), 2, day_count="calendar"), Overwrite=True)
    ssm.put_parameter(Name=name, Value=_version(default_policy_text(), 3, steps=[]), Overwrite=True)

    cold = PolicyStore(name).current()  # a new container: nothing cached
    assert cold.policy.version == 2 and cold.parameter_version == 2
    assert cold.refused_version == 3 and cold.refused_because is not None
    assert "steps" in cold.refused_because


def test_the_parameter_is_read_once_per_cache_period(stack: LocalStack) -> None:
    ssm, name = stack.client("ssm"), stack.physical_id("DunningPolicyParameter")
    clock = [0.0]
    store = PolicyStore(name, max_age_seconds=300, monotonic=lambda: clock[0])
    assert store.current().policy.version == 1
    ssm.put_parameter(Name=name, Value=_version(default_policy_text(), 2), Overwrite=True)
    clock[0] = 299
    assert store.current().policy.version == 1
    clock[0] = 301
    assert store.current().policy.version == 2


def test_with_no_valid_version_at_all_evaluation_stops(stack: LocalStack) -> None:
    ssm, name = stack.client("ssm"), stack.physical_id("DunningPolicyParameter")
    ssm.delete_parameter(Name=name)
    ssm.put_parameter(Name=name, Value="{not json", Type="String")
    with pytest.raises(InvalidInput, match="no version"):
        PolicyStore(name).current()


def test_a_valid_version_written_between_two_reads_is_the_one_kept(stack: LocalStack) -> None:
    ssm, name = stack.client("ssm"), stack.physical_id("DunningPolicyParameter")
    clock = [0.0]
    store = PolicyStore(name, max_age_seconds=300, monotonic=lambda: clock[0])
    assert store.current().policy.version == 1
    ssm.put_parameter(Name=name, Value=_version(default_policy_text(), 2), Overwrite=True)
    ssm.put_parameter(Name=name, Value=_version(default_policy_text(), 3, steps=[]), Overwrite=True)
    clock[0] = 301

    warm = store.current()  # version 1 was in force here, but version 2 is the newest valid one
    assert warm.policy.version == 2 and warm.parameter_version == 2 and warm.refused_version == 3


def test_a_refused_edit_on_a_warm_container_keeps_the_version_it_had(stack: LocalStack) -> None:
    ssm, name = stack.client("ssm"), stack.physical_id("DunningPolicyParameter")
    clock = [0.0]
    store = PolicyStore(name, max_age_seconds=300, monotonic=lambda: clock[0])
    assert store.current().policy.version == 1
    ssm.put_parameter(Name=name, Value="{not json", Overwrite=True)
    clock[0] = 301

    warm = store.current()
    assert warm.policy.version == 1 and warm.refused_version == 2
    assert warm.refused_because is not None and "invalid dunning policy" in warm.refused_because
    assert store.current() is warm  # read again only when the cache period is over
