# Plan-only tests with a mocked AWS provider: no credentials, no network, seconds to run.
# Assertions mirror the MLOPS policy rules (core/policy/rules) for what the module plans by default.

mock_provider "aws" {
  override_data {
    target = data.aws_caller_identity.current
    values = { account_id = "123456789012" }
  }
  override_data {
    target = data.aws_region.current
    values = { name = "eu-west-1" }
  }
  override_data {
    target = data.aws_partition.current
    values = { partition = "aws" }
  }
}

variables {
  project_name        = "mlops"
  environment         = "production"
  model_name          = "fraud-xgb"
  image_tag           = "1.0.0"
  data_classification = "confidential"
  tags                = { Owner = "ml-platform", CostCenter = "ml-0001" }
}

run "secure_defaults" {
  command = plan

  # MLOPS-SM-1, CAPTURE-2, BUCKET-3, ECR-3: customer-managed keys, rotated
  assert {
    condition     = alltrue([for k in aws_kms_key.this : k.enable_key_rotation])
    error_message = "every KMS key must have rotation on"
  }
  assert {
    condition     = length(aws_kms_key.this) == 4
    error_message = "one key per purpose: data, data-capture, endpoint-store, model-images"
  }

  # MLOPS-SM-2
  assert {
    condition     = aws_sagemaker_model.this.enable_network_isolation == true
    error_message = "the model must run with network isolation by default"
  }
  assert {
    condition     = length(aws_sagemaker_model.this.vpc_config) == 0
    error_message = "no VPC unless one is given"
  }

  # MLOPS-CAPTURE-1 and -3
  assert {
    condition     = aws_sagemaker_endpoint_configuration.this.data_capture_config[0].enable_capture == true
    error_message = "data capture must be on by default"
  }
  assert {
    condition     = aws_sagemaker_endpoint_configuration.this.data_capture_config[0].initial_sampling_percentage == 10
    error_message = "data capture samples 10% by default"
  }
  assert {
    condition     = [for o in aws_sagemaker_endpoint_configuration.this.data_capture_config[0].capture_options : o.capture_mode] == ["Input", "Output"]
    error_message = "data capture records input and output by default"
  }

  # MLOPS-SM-4
  assert {
    condition     = aws_sagemaker_endpoint.this.deployment_config[0].blue_green_update_policy[0].traffic_routing_configuration[0].type == "CANARY"
    error_message = "the endpoint must roll out as a canary by default"
  }
  assert {
    condition     = aws_sagemaker_endpoint.this.deployment_config[0].blue_green_update_policy[0].traffic_routing_configuration[0].canary_size[0].value == 10
    error_message = "the canary takes 10% of capacity by default"
  }
  assert {
    condition     = length(aws_sagemaker_endpoint.this.deployment_config[0].auto_rollback_configuration[0].alarms) == 3
    error_message = "the 5XX, 4XX-rate and p99 latency alarms must roll a deployment back"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.rollback["model-latency-p99"].threshold == 1000000
    error_message = "ModelLatency is in microseconds: 1000 ms must become 1000000"
  }

  # MLOPS-ECR-1, -2, -3, -4
  assert {
    condition     = aws_ecr_repository.model.image_tag_mutability == "IMMUTABLE"
    error_message = "image tags must be immutable"
  }
  assert {
    condition     = aws_ecr_repository.model.image_scanning_configuration[0].scan_on_push == true
    error_message = "images must be scanned on push"
  }
  assert {
    condition     = aws_ecr_repository.model.encryption_configuration[0].encryption_type == "KMS"
    error_message = "the repository must be KMS-encrypted"
  }
  assert {
    condition     = length(jsondecode(aws_ecr_lifecycle_policy.model.policy).rules) == 2
    error_message = "the repository must have a lifecycle policy"
  }

  # MLOPS-BUCKET-1..4, CAPTURE-4
  assert {
    condition = alltrue([for b in aws_s3_bucket_public_access_block.this :
    b.block_public_acls && b.block_public_policy && b.ignore_public_acls && b.restrict_public_buckets])
    error_message = "every bucket must block all public access"
  }
  assert {
    condition     = alltrue([for v in aws_s3_bucket_versioning.this : v.versioning_configuration[0].status == "Enabled"])
    error_message = "every bucket must be versioned"
  }
  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.this["data-capture"].rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms"
    error_message = "the capture bucket must be encrypted with KMS"
  }
  assert {
    condition     = aws_s3_bucket_lifecycle_configuration.this["data-capture"].rule[0].expiration[0].days + aws_s3_bucket_lifecycle_configuration.this["data-capture"].rule[0].noncurrent_version_expiration[0].noncurrent_days == 30
    error_message = "captured data must be gone within capture_retention_days (30)"
  }
  assert {
    condition     = aws_s3_bucket_logging.capture.target_prefix == "data-capture/"
    error_message = "the capture bucket must log access"
  }
  assert {
    condition     = alltrue([for p in aws_s3_bucket_policy.this : strcontains(p.policy, "aws:SecureTransport")])
    error_message = "every bucket policy must deny requests without TLS"
  }

  # MLOPS-TAG-1, -2
  assert {
    condition     = aws_sagemaker_endpoint.this.tags["DataClassification"] == "confidential" && aws_sagemaker_endpoint.this.tags["Environment"] == "production"
    error_message = "resources must carry DataClassification and Environment"
  }
  assert {
    condition     = aws_s3_bucket.this["data-capture"].tags["mlops:purpose"] == "data-capture"
    error_message = "the capture bucket must carry its purpose"
  }
}

run "config_change_renames_endpoint_config" {
  command = plan

  variables {
    data_capture = { sampling_percent = 5 }
  }

  assert {
    condition     = aws_sagemaker_endpoint_configuration.this.name != run.secure_defaults.endpoint_config_name
    error_message = "endpoint configs are immutable: a content change must give a new name"
  }
  assert {
    condition     = aws_sagemaker_model.this.name == run.secure_defaults.model_name
    error_message = "a capture change must not replace the model"
  }
  assert {
    condition     = aws_sagemaker_endpoint.this.name == run.secure_defaults.endpoint_name
    error_message = "the endpoint keeps its name so callers keep their URL"
  }
}

run "linear_rollout_in_a_vpc" {
  command = plan

  variables {
    rollout = { strategy = "LINEAR", step_percent = 25 }
    vpc     = { subnet_ids = ["subnet-0123456789abcdef0"], security_group_ids = ["sg-0123456789abcdef0"] }
  }

  assert {
    condition     = aws_sagemaker_endpoint.this.deployment_config[0].blue_green_update_policy[0].traffic_routing_configuration[0].linear_step_size[0].value == 25
    error_message = "LINEAR shifts step_percent per step"
  }
  assert {
    condition     = aws_sagemaker_model.this.vpc_config[0].subnets == toset(["subnet-0123456789abcdef0"])
    error_message = "the model attaches to the given subnets"
  }
}
