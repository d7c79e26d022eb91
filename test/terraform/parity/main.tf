# The production environment of cdk.json's default config (model fraud-xgb) through the Terraform module, for the
# CDK/Terraform parity test. Variants are made with -var; make-plan-fixtures.ts writes their plans to ../fixtures.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

variable "network_isolation" {
  type    = bool
  default = true
}

variable "capture_enabled" {
  type    = bool
  default = true
}

variable "sampling_percent" {
  type    = number
  default = 10
}

variable "capture_events_account" {
  description = "Account of the capture-event target; empty for this account."
  type        = string
  default     = ""
}

variable "strategy" {
  type    = string
  default = "CANARY"
}

module "environment" {
  source = "../../../terraform/modules/mlops-model-environment"

  project_name           = "mlops"
  environment            = "production"
  model_name             = "fraud-xgb"
  image_tag              = "1.0.0"
  instance_type          = "ml.m5.large"
  instance_count         = 2
  network_isolation      = var.network_isolation
  data_classification    = "confidential"
  capture_retention_days = 30

  data_capture = {
    enabled          = var.capture_enabled
    sampling_percent = var.sampling_percent
  }

  rollout = {
    strategy     = var.strategy
    step_percent = 10
    wait_seconds = 300
  }

  tags = {
    Owner      = "ml-platform"
    CostCenter = "ml-0001"
  }
}

# The drift detector's trigger of the CDK model stack: new capture files -> a target. Its account is this one unless
# capture_events_account names another (the cross-account variant).
data "aws_caller_identity" "current" {}

locals {
  events_account = var.capture_events_account != "" ? var.capture_events_account : data.aws_caller_identity.current.account_id
}

resource "aws_cloudwatch_event_rule" "capture_object_created" {
  name        = "mlops-production-fraud-xgb-capture-created"
  description = "New data-capture files of the fraud-xgb endpoint -> drift detector"
  event_pattern = jsonencode({
    source        = ["aws.s3"]
    "detail-type" = ["Object Created"]
    detail = {
      bucket = { name = ["mlops-production-fraud-xgb-capture-${data.aws_caller_identity.current.account_id}"] }
    }
  })
}

resource "aws_cloudwatch_event_target" "drift_detector" {
  rule = aws_cloudwatch_event_rule.capture_object_created.name
  arn  = "arn:aws:lambda:eu-west-1:${local.events_account}:function:mlops-production-fraud-xgb-drift"
}
