"""Makes the template's plain CloudFormation resources on the embedded AWS, with the template's own properties.

Each supported type maps its CloudFormation properties to the service's API, so that keys, indexes, streams,
filter policies and redrive policies are exactly the template's. Types that only grant access or deploy code are
listed in SKIPPED with the reason; any other type stops the stack with an error.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3

from infra.local.delivery import EventDestination, event_type_name
from infra.local.template import Resolver, TemplateError

SKIPPED = {
    "AWS::IAM::Role": "access control is not emulated locally",
    "AWS::IAM::Policy": "access control is not emulated locally",
    "AWS::Lambda::Permission": "access control is not emulated locally",
    "AWS::Serverless::LayerVersion": "the layer folder is on the import path locally",
}


_ALARM_NUMBERS: dict[str, Callable[[str], float | int]] = {
    "Threshold": float,
    "Period": int,
    "EvaluationPeriods": int,
    "DatapointsToAlarm": int,
}


# Cognito's standard user attributes (the ID token's claims when a client lists no ReadAttributes).
_STANDARD_ATTRIBUTES = (
    "name",
    "given_name",
    "family_name",
    "email",
    "email_verified",
    "phone_number",
    "phone_number_verified",
    "locale",
    "zoneinfo",
    "preferred_username",
    "updated_at",
)


@dataclass
class Made:
    ref: Any
    attributes: dict[str, Any]


def physical_name(stack: str, logical_id: str, limit: int = 80, lower: bool = False) -> str:
    """A generated name, like CloudFormation's: stack, logical id and a stable suffix."""
    suffix = hashlib.sha256(f"{stack}/{logical_id}".encode()).hexdigest()[:10].upper()
    name = f"{stack}-{logical_id}"[: limit - len(suffix) - 1] + f"-{suffix}"
    return name.lower() if lower else name


class Provisioner:
    def __init__(self, resolver: Resolver, stack_name: str, region: str) -> None:
        self.resolver = resolver
        self.stack = stack_name
        self.region = region
        self._clients: dict[str, Any] = {}
        self.creators: dict[str, Callable[[str, dict[str, Any]], Made]] = {
            "AWS::DynamoDB::Table": self._table,
            "AWS::SNS::Topic": self._topic,
            "AWS::SNS::Subscription": self._subscription,
            "AWS::SNS::TopicPolicy": self._topic_policy,
            "AWS::SQS::Queue": self._queue,
            "AWS::SQS::QueuePolicy": self._queue_policy,
            "AWS::S3::Bucket": self._bucket,
            "AWS::S3::BucketPolicy": self._bucket_policy,
            "AWS::Events::EventBus": self._event_bus,
            "AWS::Scheduler::ScheduleGroup": self._schedule_group,
            "AWS::Cognito::UserPool": self._user_pool,
            "AWS::Cognito::UserPoolClient": self._user_pool_client,
            "AWS::Cognito::UserPoolGroup": self._user_pool_group,
            "AWS::KMS::Key": self._kms_key,
            "AWS::CloudWatch::Alarm": self._alarm,
            "AWS::Logs::LogGroup": self._log_group,
            "AWS::SSM::Parameter": self._ssm_parameter,
            "AWS::SecretsManager::Secret": self._secret,
            "AWS::SES::ConfigurationSet": self._configuration_set,
            "AWS::SES::ConfigurationSetEventDestination": self._event_destination,
            "AWS::SES::EmailIdentity": self._email_identity,
        }

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = boto3.client(service, region_name=self.region)
        return self._clients[service]

    def make(self, logical_id: str, resource_type: str, properties: dict[str, Any]) -> Made:
        creator = self.creators.get(resource_type)
        if creator is None:
            raise TemplateError(f"{logical_id}: the local stack cannot make {resource_type}")
        return creator(logical_id, properties)

    def _arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.resolver.pseudo.account_id}:{resource}"

    def _table(self, logical_id: str, p: dict[str, Any]) -> Made:
        name = p.get("TableName") or physical_name(self.stack, logical_id)
        request: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": p["AttributeDefinitions"],
            "KeySchema": p["KeySchema"],
            "BillingMode": p.get("BillingMode", "PROVISIONED"),
        }
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes", "ProvisionedThroughput"):
            if key in p:
                request[key] = p[key]
        if "StreamSpecification" in p:
            request["StreamSpecification"] = {"StreamEnabled": True, **p["StreamSpecification"]}
        description = self.client("dynamodb").create_table(**request)["TableDescription"]
        ttl = p.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            self.client("dynamodb").update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        return Made(
            name,
            {"Arn": description["TableArn"], "StreamArn": description.get("LatestStreamArn")},
        )

    def _topic(self, logical_id: str, p: dict[str, Any]) -> Made:
        name = p.get("TopicName") or physical_name(self.stack, logical_id, 256)
        attributes = {"KmsMasterKeyId": p["KmsMasterKeyId"]} if p.get("KmsMasterKeyId") else {}
        arn = self.client("sns").create_topic(Name=name, Attributes=attributes)["TopicArn"]
        return Made(arn, {"TopicArn": arn, "TopicName": name})

    def _subscription(self, logical_id: str, p: dict[str, Any]) -> Made:
        attributes = {}
        if "FilterPolicy" in p:
            attributes["FilterPolicy"] = json.dumps(p["FilterPolicy"])
            attributes["FilterPolicyScope"] = p.get("FilterPolicyScope", "MessageAttributes")
        if "RawMessageDelivery" in p:
            attributes["RawMessageDelivery"] = str(p["RawMessageDelivery"]).lower()
        arn = self.client("sns").subscribe(
            TopicArn=p["TopicArn"],
            Protocol=p["Protocol"],
            Endpoint=p["Endpoint"],
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        return Made(arn, {"Arn": arn})

    def _topic_policy(self, logical_id: str, p: dict[str, Any]) -> Made:
        for topic_arn in p["Topics"]:
            self.client("sns").set_topic_attributes(
                TopicArn=topic_arn, AttributeName="Policy", AttributeValue=json.dumps(p["PolicyDocument"])
            )
        return Made(logical_id, {})

    def _queue(self, logical_id: str, p: dict[str, Any]) -> Made:
        fifo = bool(p.get("FifoQueue"))
        name = p.get("QueueName") or physical_name(self.stack, logical_id, 75) + (".fifo" if fifo else "")
        attributes = {
            key: json.dumps(value)
            if isinstance(value, dict)
            else str(value).lower()
            if isinstance(value, bool)
            else str(value)
            for key, value in p.items()
            if key not in {"QueueName", "Tags"}
        }
        url = self.client("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        return Made(url, {"Arn": self._arn("sqs", name), "QueueName": name, "QueueUrl": url})

    def _queue_policy(self, logical_id: str, p: dict[str, Any]) -> Made:
        for url in p["Queues"]:
            self.client("sqs").set_queue_attributes(
                QueueUrl=url, Attributes={"Policy": json.dumps(p["PolicyDocument"])}
            )
        return Made(logical_id, {})

    def _bucket(self, logical_id: str, p: dict[str, Any]) -> Made:
        name = p.get("BucketName") or physical_name(self.stack, logical_id, 63, lower=True)
        s3 = self.client("s3")
        s3.create_bucket(Bucket=name)
        if p.get("VersioningConfiguration"):
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=p["VersioningConfiguration"])
        if p.get("BucketEncryption"):
            # CloudFormation names the default rule differently from the S3 API.
            rules = [
                {"ApplyServerSideEncryptionByDefault": r["ServerSideEncryptionByDefault"]}
                for r in p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            ]
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
        if p.get("PublicAccessBlockConfiguration"):
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=p["PublicAccessBlockConfiguration"])
        return Made(name, {"Arn": f"arn:aws:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com"})

    def _bucket_policy(self, logical_id: str, p: dict[str, Any]) -> Made:
        # The emulator evaluates bucket policies but cannot tell whether a request came over TLS: a statement that
        # hinges on aws:SecureTransport would refuse every local request. Locally every request counts as TLS.
        document = dict(p["PolicyDocument"])
        document["Statement"] = [s for s in document["Statement"] if "aws:SecureTransport" not in json.dumps(s)]
        if document["Statement"]:
            self.client("s3").put_bucket_policy(Bucket=p["Bucket"], Policy=json.dumps(document))
        return Made(logical_id, {"Statements": p["PolicyDocument"]["Statement"]})

    def _event_bus(self, logical_id: str, p: dict[str, Any]) -> Made:
        arn = self.client("events").create_event_bus(Name=p["Name"])["EventBusArn"]
        return Made(p["Name"], {"Arn": arn, "Name": p["Name"]})

    def _schedule_group(self, logical_id: str, p: dict[str, Any]) -> Made:
        name = p.get("Name") or physical_name(self.stack, logical_id, 64)
        arn = self.client("scheduler").create_schedule_group(Name=name)["ScheduleGroupArn"]
        return Made(name, {"Arn": arn})

    def _kms_key(self, logical_id: str, p: dict[str, Any]) -> Made:
        metadata = self.client("kms").create_key(
            Description=p.get("Description", logical_id), Policy=json.dumps(p.get("KeyPolicy", {}))
        )["KeyMetadata"]
        return Made(metadata["KeyId"], {"Arn": metadata["Arn"], "KeyId": metadata["KeyId"]})

    def _alarm(self, logical_id: str, p: dict[str, Any]) -> Made:
        name = p.get("AlarmName") or physical_name(self.stack, logical_id, 255)
        request = {key: value for key, value in p.items() if key != "AlarmName"}
        # A Number parameter reaches a property as a string, which CloudFormation converts and boto3 does not.
        for key, kind in _ALARM_NUMBERS.items():
            if isinstance(request.get(key), str):
                request[key] = kind(request[key])
        self.client("cloudwatch").put_metric_alarm(AlarmName=name, **request)
        return Made(name, {"Arn": self._arn("cloudwatch", f"alarm:{name}")})

    def _log_group(self, logical_id: str, p: dict[str, Any]) -> Made:
        name = p.get("LogGroupName") or f"/ponte/{physical_name(self.stack, logical_id)}"
        logs = self.client("logs")
        logs.create_log_group(logGroupName=name)
        if "RetentionInDays" in p:
            logs.put_retention_policy(logGroupName=name, retentionInDays=int(p["RetentionInDays"]))
        return Made(name, {"Arn": self._arn("logs", f"log-group:{name}:*")})

    def _user_pool(self, logical_id: str, p: dict[str, Any]) -> Made:
        name = p.get("UserPoolName") or physical_name(self.stack, logical_id, 128)
        keys = ("Policies", "AutoVerifiedAttributes", "UsernameAttributes", "AdminCreateUserConfig", "MfaConfiguration")
        pool = self.client("cognito-idp").create_user_pool(PoolName=name, **{k: p[k] for k in keys if k in p})
        made = pool["UserPool"]
        issuer = f"https://cognito-idp.{self.region}.amazonaws.com/{made['Id']}"
        attributes = {"Arn": made["Arn"], "ProviderName": issuer.removeprefix("https://"), "ProviderURL": issuer}
        return Made(made["Id"], attributes)

    def _user_pool_client(self, logical_id: str, p: dict[str, Any]) -> Made:
        keys = ("ExplicitAuthFlows", "GenerateSecret", "AccessTokenValidity", "IdTokenValidity", "TokenValidityUnits")
        client = self.client("cognito-idp").create_user_pool_client(
            UserPoolId=p["UserPoolId"],
            ClientName=p.get("ClientName") or logical_id,
            # A client that lists none reads every attribute, and Cognito puts them in the ID token; moto puts
            # only those the client lists.
            ReadAttributes=p.get("ReadAttributes") or list(_STANDARD_ATTRIBUTES),
            **{k: p[k] for k in keys if k in p},
        )
        return Made(client["UserPoolClient"]["ClientId"], {"ClientId": client["UserPoolClient"]["ClientId"]})

    def _user_pool_group(self, logical_id: str, p: dict[str, Any]) -> Made:
        request = {k: p[k] for k in ("Description", "Precedence") if k in p}
        self.client("cognito-idp").create_group(GroupName=p["GroupName"], UserPoolId=p["UserPoolId"], **request)
        return Made(p["GroupName"], {})

    def _ssm_parameter(self, logical_id: str, p: dict[str, Any]) -> Made:
        name = p.get("Name") or f"/{self.stack}/{logical_id}"
        self.client("ssm").put_parameter(Name=name, Value=p["Value"], Type=p.get("Type", "String"), Overwrite=True)
        return Made(name, {"Type": p.get("Type", "String"), "Value": p["Value"]})

    def _configuration_set(self, logical_id: str, p: dict[str, Any]) -> Made:
        name = p.get("Name") or physical_name(self.stack, logical_id, 64)
        options = ("TrackingOptions", "DeliveryOptions", "ReputationOptions", "SendingOptions", "SuppressionOptions")
        request = {key: p[key] for key in (*options, "VdmOptions", "Tags") if key in p}
        self.client("sesv2").create_configuration_set(ConfigurationSetName=name, **request)
        return Made(name, {"Name": name, "Arn": self._arn("ses", f"configuration-set/{name}")})

    def _event_destination(self, logical_id: str, p: dict[str, Any]) -> Made:
        """Kept by the local stack, not the emulator: moto has no SES v2 event destinations (see delivery.py)."""
        self.client("sesv2").get_configuration_set(ConfigurationSetName=p["ConfigurationSetName"])  # it must exist
        destination = p["EventDestination"]
        others = {"CloudWatchDestination", "KinesisFirehoseDestination", "EventBridgeDestination"} & set(destination)
        if others:
            raise TemplateError(f"{logical_id}: the local stack publishes SES events to SNS only, not {sorted(others)}")
        name = destination.get("Name") or physical_name(self.stack, logical_id, 64)
        made = EventDestination(
            name=name,
            configuration_set=p["ConfigurationSetName"],
            enabled=bool(destination.get("Enabled", False)),
            event_types=frozenset(event_type_name(kind) for kind in destination["MatchingEventTypes"]),
            topic_arn=destination.get("SnsDestination", {}).get("TopicARN"),
        )
        return Made(name, {"Id": name, "Destination": made})

    def _email_identity(self, logical_id: str, p: dict[str, Any]) -> Made:
        """An identity counts as verified at once locally (moto's rule): no DNS records to publish."""
        identity = p["EmailIdentity"]
        request: dict[str, Any] = {"EmailIdentity": identity}
        signing = dict(p.get("DkimSigningAttributes", {}))
        if p.get("DkimAttributes", {}).get("SigningEnabled") and not signing:
            signing = {"NextSigningKeyLength": "RSA_2048_BIT"}  # Easy DKIM, as SES sets it up by default
        if signing:
            request["DkimSigningAttributes"] = signing
        if p.get("ConfigurationSetAttributes", {}).get("ConfigurationSetName"):
            request["ConfigurationSetName"] = p["ConfigurationSetAttributes"]["ConfigurationSetName"]
        if p.get("Tags"):
            request["Tags"] = p["Tags"]
        self.client("sesv2").create_email_identity(**request)
        attributes: dict[str, Any] = {}
        if "@" not in identity:  # a domain: the three CNAME records Easy DKIM asks for
            for n in (1, 2, 3):
                token = hashlib.sha256(f"{identity}/{n}".encode()).hexdigest()[:32]
                attributes[f"DkimDNSTokenName{n}"] = f"{token}._domainkey.{identity}"
                attributes[f"DkimDNSTokenValue{n}"] = f"{token}.dkim.amazonses.com"
        return Made(identity, attributes)

    def _secret(self, logical_id: str, p: dict[str, Any]) -> Made:
        name = p.get("Name") or physical_name(self.stack, logical_id)
        request: dict[str, Any] = {"Name": name}
        if "SecretString" in p:
            request["SecretString"] = p["SecretString"]
        elif "GenerateSecretString" in p:
            # As Secrets Manager does: a random string, alone or under GenerateStringKey in SecretStringTemplate.
            generate = p["GenerateSecretString"]
            generated = secrets.token_urlsafe(24)
            if "SecretStringTemplate" in generate:
                document = json.loads(generate["SecretStringTemplate"])
                document[generate["GenerateStringKey"]] = generated
                generated = json.dumps(document)
            request["SecretString"] = generated
        arn = self.client("secretsmanager").create_secret(**request)["ARN"]
        return Made(arn, {"Id": arn})
