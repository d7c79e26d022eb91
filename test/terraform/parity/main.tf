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
