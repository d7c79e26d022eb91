# Customer-managed keys with rotation, one per purpose, as in the CDK PlatformStack. Deleting the module schedules
# deletion after kms_deletion_window_days, so a mistaken destroy can be undone with CancelKeyDeletion.

locals {
  keys = {
    data           = "alert topic and other platform data"
    data-capture   = "captured inference requests and responses"
    endpoint-store = "ML storage volumes of the hosting instances"
    model-images   = "model images in ECR"
  }
}

# Policies are jsonencode()d from known values rather than aws_iam_policy_document data sources: they are then
# known at plan time, so the plan-time policy check and `terraform test` with a mocked provider read the real text.
locals {
  account_admin = {
    Sid       = "AccountAdministersKey"
    Effect    = "Allow"
    Action    = "kms:*"
    Resource  = "*"
    Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
  }
  # CloudWatch alarms publish to the encrypted alert topic: they need the data key, and nothing else does.
  alarms_use_data_key = {
    Sid       = "CloudWatchAlarmsPublishToTopic"
    Effect    = "Allow"
    Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
    Resource  = "*"
    Principal = { Service = "cloudwatch.amazonaws.com" }
    Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
  }
}

resource "aws_kms_key" "this" {
  for_each = local.keys

  description             = "${var.project_name}/${var.environment}: ${each.value}"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy = (each.key == "data"
    ? jsonencode({ Version = "2012-10-17", Statement = [local.account_admin, local.alarms_use_data_key] })
    : jsonencode({ Version = "2012-10-17", Statement = [local.account_admin] })
  )
  tags = local.tags
}

resource "aws_kms_alias" "this" {
  for_each = local.keys

  name          = "alias/${var.project_name}/${var.environment}/${var.model_name}/${each.key}"
  target_key_id = aws_kms_key.this[each.key].key_id
}
