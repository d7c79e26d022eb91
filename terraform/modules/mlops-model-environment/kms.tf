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

data "aws_iam_policy_document" "key" {
  for_each = local.keys

  statement {
    sid       = "AccountAdministersKey"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # CloudWatch alarms publish to the encrypted alert topic: they need the data key, and nothing else does.
  dynamic "statement" {
    for_each = each.key == "data" ? [1] : []
    content {
      sid       = "CloudWatchAlarmsPublishToTopic"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
      resources = ["*"]
      principals {
        type        = "Service"
        identifiers = ["cloudwatch.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    }
  }
}

resource "aws_kms_key" "this" {
  for_each = local.keys

  description             = "${var.project_name}/${var.environment}: ${each.value}"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = data.aws_iam_policy_document.key[each.key].json
  tags                    = local.tags
}

resource "aws_kms_alias" "this" {
  for_each = local.keys

  name          = "alias/${var.project_name}/${var.environment}/${var.model_name}/${each.key}"
  target_key_id = aws_kms_key.this[each.key].key_id
}
