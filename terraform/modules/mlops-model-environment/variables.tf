variable "project_name" {
  description = "Lowercase name prefix of every resource (the CDK config's projectName)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.project_name))
    error_message = "project_name must be 2-32 characters of lowercase letters, digits and '-', starting with a letter (e.g. \"mlops\")."
  }
}

variable "environment" {
  description = "Environment (stage) name, e.g. staging or production. Written to the Environment tag that the policy rules read."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.environment))
    error_message = "environment must be 2-32 characters of lowercase letters, digits and '-', starting with a letter (e.g. \"staging\")."
  }
}

variable "model_name" {
  description = "Model name; the endpoint is named <project_name>-<environment>-<model_name>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.model_name))
    error_message = "model_name must be 2-32 characters of lowercase letters, digits and '-', starting with a letter (e.g. \"fraud-xgb\")."
  }
}

variable "repository_name" {
  description = "Name of the ECR repository the module creates for the model image. Defaults to model_name."
  type        = string
  default     = null

  validation {
    condition     = var.repository_name == null || can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", coalesce(var.repository_name, "x")))
    error_message = "repository_name must be a valid ECR repository name (lowercase letters, digits, '.', '_', '-', '/'), e.g. \"fraud-xgb\"."
  }
}

variable "image_tag" {
  description = "Immutable image tag or sha256 digest of the model image in the repository. Never \"latest\"."
  type        = string

  validation {
    condition     = var.image_tag != "latest" && can(regex("^(sha256:[a-f0-9]{64}|[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$", var.image_tag))
    error_message = "image_tag must be a pinned tag (e.g. \"1.0.0\") or a digest \"sha256:<64 hex>\", never \"latest\"."
  }
}

variable "model_data_url" {
  description = "S3 URL of model artefacts (model.tar.gz) outside the image; null when the image contains the model."
  type        = string
  default     = null

  validation {
    condition     = var.model_data_url == null || can(regex("^s3://", coalesce(var.model_data_url, "s3://")))
    error_message = "model_data_url must be an s3:// URL (e.g. \"s3://my-bucket/models/model.tar.gz\") or null."
  }
}

variable "instance_type" {
  description = "SageMaker hosting instance type."
  type        = string
  default     = "ml.m5.large"

  validation {
    condition     = can(regex("^ml\\.[a-z0-9]+\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must be a SageMaker hosting instance type such as \"ml.m5.large\"."
  }
}

variable "instance_count" {
  description = "Number of hosting instances."
  type        = number
  default     = 2

  validation {
    condition     = var.instance_count >= 1 && var.instance_count <= 100 && floor(var.instance_count) == var.instance_count
    error_message = "instance_count must be a whole number from 1 to 100."
  }
}

variable "network_isolation" {
  description = "Run the model container without network access. Turning it off fails the MLOPS-SM-2 policy rule."
  type        = bool
  default     = true
}

variable "vpc" {
  description = "Private subnets and security groups the model attaches to (by id); null runs the model outside a VPC."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null

  validation {
    condition = var.vpc == null || (
      length(try(var.vpc.subnet_ids, [])) > 0 &&
      length(try(var.vpc.security_group_ids, [])) > 0 &&
      alltrue([for s in try(var.vpc.subnet_ids, []) : can(regex("^subnet-[0-9a-f]{8,17}$", s))]) &&
      alltrue([for s in try(var.vpc.security_group_ids, []) : can(regex("^sg-[0-9a-f]{8,17}$", s))])
    )
    error_message = "vpc needs at least one subnet id (subnet-<hex>) and one security group id (sg-<hex>)."
  }
}

variable "data_capture" {
  description = "Capture of inference requests and responses for drift and fairness monitoring, encrypted with its own KMS key."
  type = object({
    enabled          = optional(bool, true)
    sampling_percent = optional(number, 10)
    capture_input    = optional(bool, true)
    capture_output   = optional(bool, true)
  })
  default = {}

  validation {
    condition     = var.data_capture.sampling_percent >= 1 && var.data_capture.sampling_percent <= 100 && floor(var.data_capture.sampling_percent) == var.data_capture.sampling_percent
    error_message = "data_capture.sampling_percent must be a whole number from 1 to 100 (your policy's maximum is checked at plan time by npm run policy:terraform)."
  }

  validation {
    condition     = !var.data_capture.enabled || var.data_capture.capture_input || var.data_capture.capture_output
    error_message = "data_capture with enabled = true must capture input, output or both (capture_input / capture_output)."
  }
}

variable "capture_retention_days" {
  description = "Days captured data is kept: current objects expire after N-1 days and their noncurrent versions one day later."
  type        = number
  default     = 30

  validation {
    condition     = var.capture_retention_days >= 2 && var.capture_retention_days <= 3650 && floor(var.capture_retention_days) == var.capture_retention_days
    error_message = "capture_retention_days must be a whole number from 2 to 3650."
  }
}

variable "rollout" {
  description = "Blue/green deployment: CANARY or LINEAR traffic shifting watched by the rollback alarms (ALL_AT_ONCE fails MLOPS-SM-4 in production)."
  type = object({
    strategy                          = optional(string, "CANARY")
    step_percent                      = optional(number, 10)
    wait_seconds                      = optional(number, 300)
    termination_wait_seconds          = optional(number, 600)
    maximum_execution_timeout_seconds = optional(number, 3600)
  })
  default = {}

  validation {
    condition     = contains(["CANARY", "LINEAR", "ALL_AT_ONCE"], var.rollout.strategy)
    error_message = "rollout.strategy must be CANARY, LINEAR or ALL_AT_ONCE."
  }

  validation {
    condition     = var.rollout.step_percent >= 1 && var.rollout.step_percent <= 50
    error_message = "rollout.step_percent must be from 1 to 50 (share of capacity per canary or linear step)."
  }

  validation {
    condition     = var.rollout.wait_seconds >= 60 && var.rollout.wait_seconds <= 3600
    error_message = "rollout.wait_seconds must be from 60 to 3600."
  }

  validation {
    condition     = var.rollout.termination_wait_seconds >= 0 && var.rollout.termination_wait_seconds <= 3600
    error_message = "rollout.termination_wait_seconds must be from 0 to 3600."
  }

  validation {
    condition     = var.rollout.maximum_execution_timeout_seconds >= 600 && var.rollout.maximum_execution_timeout_seconds <= 28800
    error_message = "rollout.maximum_execution_timeout_seconds must be from 600 to 28800."
  }
}

variable "alarm_thresholds" {
  description = "Rollback alarm thresholds: p99 model latency in milliseconds, 5XX errors a minute, 4XX errors as a percent of invocations."
  type = object({
    latency_p99_ms         = optional(number, 1000)
    errors_5xx_per_minute  = optional(number, 5)
    error_4xx_rate_percent = optional(number, 5)
  })
  default = {}

  validation {
    condition = (
      var.alarm_thresholds.latency_p99_ms > 0 &&
      var.alarm_thresholds.errors_5xx_per_minute >= 0 &&
      var.alarm_thresholds.error_4xx_rate_percent > 0 && var.alarm_thresholds.error_4xx_rate_percent <= 100
    )
    error_message = "alarm_thresholds: latency_p99_ms must be > 0, errors_5xx_per_minute >= 0, error_4xx_rate_percent in (0, 100]."
  }
}

variable "data_classification" {
  description = "Classification of the data the model processes; becomes the DataClassification tag."
  type        = string

  validation {
    condition     = contains(["public", "internal", "confidential", "restricted"], var.data_classification)
    error_message = "data_classification must be one of public, internal, confidential, restricted."
  }
}

variable "tags" {
  description = "Tags on every resource (e.g. Owner, CostCenter). DataClassification and Environment are added by the module."
  type        = map(string)
  default     = {}

  validation {
    condition     = !contains(keys(var.tags), "DataClassification") && !contains(keys(var.tags), "Environment")
    error_message = "tags must not set DataClassification or Environment: use the data_classification and environment variables."
  }
}

variable "alarm_email" {
  description = "Optional e-mail address subscribed to the alert topic."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", coalesce(var.alarm_email, "a@b.c")))
    error_message = "alarm_email must be an e-mail address such as \"ml-oncall@example.com\" or null."
  }
}

variable "kms_deletion_window_days" {
  description = "Waiting period before a deleted KMS key is destroyed (keys are recoverable until then)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be from 7 to 30."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy delete the buckets and repository with their objects and images. Keep false outside tests: captured data and images are retained."
  type        = bool
  default     = false
}
