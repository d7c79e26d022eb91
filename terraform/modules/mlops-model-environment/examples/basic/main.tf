# One model environment with the module's secure defaults. Run from this directory:
#   terraform init && terraform plan -out plan.tfplan && terraform show -json plan.tfplan > plan.json
#   npm run policy:terraform -- plan.json     (from the repository root)

provider "aws" {
  region = var.region
}

module "environment" {
  source = "../.."

  project_name        = var.project_name
  environment         = var.environment
  model_name          = "fraud-xgb"
  image_tag           = "1.0.0"
  instance_type       = "ml.m5.large"
  instance_count      = 2
  data_classification = "confidential"
  force_destroy       = var.force_destroy

  data_capture = {
    sampling_percent = 10
  }

  rollout = {
    strategy     = "CANARY"
    step_percent = 10
    wait_seconds = 300
  }

  tags = {
    Owner      = "ml-platform"
    CostCenter = "ml-0001"
  }
}

output "endpoint_name" {
  value = module.environment.endpoint_name
}

output "repository_url" {
  value = module.environment.repository_url
}

output "capture_bucket_name" {
  value = module.environment.capture_bucket_name
}
