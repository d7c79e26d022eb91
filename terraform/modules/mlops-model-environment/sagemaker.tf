locals {
  image = startswith(var.image_tag, "sha256:") ? "${aws_ecr_repository.model.repository_url}@${var.image_tag}" : "${aws_ecr_repository.model.repository_url}:${var.image_tag}"

  variant_name = "AllTraffic"

  # Models and endpoint configs are immutable: their names carry a hash of their content, so a change creates a new
  # one beside the old (create_before_destroy) and the endpoint moves to it with a blue/green deployment.
  model_content = {
    image             = "${local.repository_name}:${var.image_tag}"
    model_data_url    = var.model_data_url
    network_isolation = var.network_isolation
    vpc               = var.vpc
  }
  model_name = "${substr(local.endpoint_name, 0, 54)}-${substr(sha256(jsonencode(local.model_content)), 0, 8)}"

  config_content = {
    model          = local.model_name
    instance_type  = var.instance_type
    instance_count = var.instance_count
    data_capture   = var.data_capture
  }
  endpoint_config_name = "${substr(local.endpoint_name, 0, 54)}-${substr(sha256(jsonencode(local.config_content)), 0, 8)}"

  rollback_alarm_names = concat(
    [for a in aws_cloudwatch_metric_alarm.rollback : a.alarm_name],
    [aws_cloudwatch_metric_alarm.error_4xx_rate.alarm_name],
  )

  # SageMaker needs at least one capture option even when capture is off.
  chosen_modes  = concat(var.data_capture.capture_input ? ["Input"] : [], var.data_capture.capture_output ? ["Output"] : [])
  capture_modes = length(local.chosen_modes) > 0 ? local.chosen_modes : ["Input", "Output"]
}

resource "aws_sagemaker_model" "this" {
  name                     = local.model_name
  execution_role_arn       = aws_iam_role.execution.arn
  enable_network_isolation = var.network_isolation

  primary_container {
    image          = local.image
    mode           = "SingleModel"
    model_data_url = var.model_data_url
  }

  dynamic "vpc_config" {
    for_each = var.vpc == null ? [] : [var.vpc]
    content {
      subnets            = vpc_config.value.subnet_ids
      security_group_ids = vpc_config.value.security_group_ids
    }
  }

  tags = local.tags

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [aws_iam_role_policy.execution]
}

resource "aws_sagemaker_endpoint_configuration" "this" {
  name        = local.endpoint_config_name
  kms_key_arn = aws_kms_key.this["endpoint-store"].arn

  production_variants {
    variant_name           = local.variant_name
    model_name             = aws_sagemaker_model.this.name
    initial_instance_count = var.instance_count
    instance_type          = var.instance_type
    initial_variant_weight = 1
  }

  # A static block (EnableCapture false when capture is off) rather than a dynamic one: Terraform's plan JSON shows
  # the references of static blocks only, and the plan-time policy check needs them to prove the key is
  # customer-managed.
  data_capture_config {
    enable_capture              = var.data_capture.enabled
    initial_sampling_percentage = var.data_capture.sampling_percent
    destination_s3_uri          = "s3://${aws_s3_bucket.this["data-capture"].id}/${local.capture_prefix}"
    kms_key_id                  = aws_kms_key.this["data-capture"].arn

    dynamic "capture_options" {
      for_each = local.capture_modes
      content {
        capture_mode = capture_options.value
      }
    }

    capture_content_type_header {
      csv_content_types  = ["text/csv"]
      json_content_types = ["application/json"]
    }
  }

  tags = local.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_sagemaker_endpoint" "this" {
  name                 = local.endpoint_name
  endpoint_config_name = aws_sagemaker_endpoint_configuration.this.name

  deployment_config {
    blue_green_update_policy {
      termination_wait_in_seconds          = var.rollout.termination_wait_seconds
      maximum_execution_timeout_in_seconds = var.rollout.maximum_execution_timeout_seconds

      traffic_routing_configuration {
        type                     = var.rollout.strategy
        wait_interval_in_seconds = var.rollout.wait_seconds

        dynamic "canary_size" {
          for_each = var.rollout.strategy == "CANARY" ? [1] : []
          content {
            type  = "CAPACITY_PERCENT"
            value = var.rollout.step_percent
          }
        }

        dynamic "linear_step_size" {
          for_each = var.rollout.strategy == "LINEAR" ? [1] : []
          content {
            type  = "CAPACITY_PERCENT"
            value = var.rollout.step_percent
          }
        }
      }
    }

    auto_rollback_configuration {
      dynamic "alarms" {
        for_each = local.rollback_alarm_names
        content {
          alarm_name = alarms.value
        }
      }
    }
  }

  tags = local.tags
}
