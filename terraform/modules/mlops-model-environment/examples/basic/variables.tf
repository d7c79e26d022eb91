variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "project_name" {
  description = "Name prefix of every resource."
  type        = string
  default     = "mlops"
}

variable "environment" {
  description = "Environment name (the Environment tag; production environments must roll out gradually)."
  type        = string
  default     = "production"
}

variable "force_destroy" {
  description = "Let terraform destroy delete the capture bucket and repository with their contents (tests only)."
  type        = bool
  default     = false
}
