data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  prefix        = "${var.project_name}-${var.environment}"
  endpoint_name = "${var.project_name}-${var.environment}-${var.model_name}"
  account_id    = data.aws_caller_identity.current.account_id
  partition     = data.aws_partition.current.partition
  # aws_region.name is deprecated in provider 6 in favour of region, but it is the attribute provider 5 has.
  region = data.aws_region.current.name

  # The same keys the CDK stacks write; the policy rules read DataClassification, Environment and mlops:purpose.
  tags = merge(var.tags, {
    DataClassification = var.data_classification
    Environment        = var.environment
  })

  repository_name = coalesce(var.repository_name, var.model_name)
  capture_prefix  = "datacapture"
}
