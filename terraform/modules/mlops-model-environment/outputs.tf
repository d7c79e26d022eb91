output "endpoint_name" {
  description = "Name of the SageMaker endpoint."
  value       = aws_sagemaker_endpoint.this.name
}

output "endpoint_arn" {
  description = "ARN of the SageMaker endpoint."
  value       = aws_sagemaker_endpoint.this.arn
}

output "endpoint_config_name" {
  description = "Name of the current endpoint config (changes with its content)."
  value       = aws_sagemaker_endpoint_configuration.this.name
}

output "model_name" {
  description = "Name of the current SageMaker model (changes with its content)."
  value       = aws_sagemaker_model.this.name
}

output "execution_role_arn" {
  description = "ARN of the model's least-privilege SageMaker execution role."
  value       = aws_iam_role.execution.arn
}

output "repository_url" {
  description = "URL of the ECR repository to push the model image to (immutable tags)."
  value       = aws_ecr_repository.model.repository_url
}

output "capture_bucket_name" {
  description = "Name of the bucket that receives captured inference data."
  value       = aws_s3_bucket.this["data-capture"].id
}

output "access_logs_bucket_name" {
  description = "Name of the bucket that receives server access logs."
  value       = aws_s3_bucket.this["access-logs"].id
}

output "alert_topic_arn" {
  description = "ARN of the SNS topic every alarm notifies."
  value       = aws_sns_topic.alerts.arn
}

output "rollback_alarm_names" {
  description = "Alarms that roll a deployment back."
  value       = local.rollback_alarm_names
}

output "kms_key_arns" {
  description = "Customer-managed KMS key ARNs by purpose (data, data-capture, endpoint-store, model-images)."
  value       = { for k, key in aws_kms_key.this : k => key.arn }
}
