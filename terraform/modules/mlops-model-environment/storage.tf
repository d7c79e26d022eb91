# Two buckets: access logs (SSE-S3, because S3 delivers server access logs only to SSE-S3 buckets) and captured data
# (KMS with the capture key, TLS only, versioned, public access blocked, access logged, expiring within retention).

locals {
  buckets = {
    access-logs  = "${local.prefix}-${var.model_name}-logs-${local.account_id}"
    data-capture = "${local.prefix}-${var.model_name}-capture-${local.account_id}"
  }
  # From the names, not the bucket resources: policies built from known values are known at plan time, so the
  # plan-time policy check can read them (an ARN attribute is only known after apply).
  bucket_arns = { for k, name in local.buckets : k => "arn:${local.partition}:s3:::${name}" }
}

resource "aws_s3_bucket" "this" {
  for_each = local.buckets

  bucket        = each.value
  force_destroy = var.force_destroy
  tags          = merge(local.tags, { "mlops:purpose" = each.key })

  lifecycle {
    precondition {
      condition     = length(each.value) <= 63
      error_message = "bucket name \"${each.value}\" is ${length(each.value)} characters; S3 allows 63. Shorten project_name, environment or model_name."
    }
  }
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = local.buckets

  bucket                  = aws_s3_bucket.this[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = each.key == "access-logs" ? "AES256" : "aws:kms"
      kms_master_key_id = each.key == "access-logs" ? null : aws_kms_key.this["data-capture"].arn
    }
    bucket_key_enabled = each.key != "access-logs"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id
  rule {
    id     = "expire"
    status = "Enabled"
    filter {}
    # Captured data: the whole life of a record (current + one noncurrent day) stays within the retention period.
    expiration {
      days = each.key == "data-capture" ? var.capture_retention_days - 1 : 365
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_logging" "capture" {
  bucket        = aws_s3_bucket.this["data-capture"].id
  target_bucket = aws_s3_bucket.this["access-logs"].id
  target_prefix = "data-capture/"

  # S3 checks that the target bucket's policy lets the logging service write before it accepts the configuration.
  depends_on = [aws_s3_bucket_policy.this]
}

locals {
  deny_insecure_transport = {
    for k, arn in local.bucket_arns : k => {
      Sid    = "DenyInsecureTransport"
      Effect = "Deny"
      Action = "s3:*"
      # {"AWS": "*"} is IAM's equivalent of "*"; moto 5.2.1 fails PutBucketLogging on a string principal.
      Principal = { AWS = "*" }
      Resource  = [arn, "${arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }
  }
  access_log_delivery = {
    Sid       = "S3ServerAccessLogsDelivery"
    Effect    = "Allow"
    Action    = "s3:PutObject"
    Principal = { Service = "logging.s3.amazonaws.com" }
    Resource  = "${local.bucket_arns["access-logs"]}/*"
    Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = local.buckets

  bucket = aws_s3_bucket.this[each.key].id
  policy = (each.key == "access-logs"
    ? jsonencode({ Version = "2012-10-17", Statement = [local.deny_insecure_transport[each.key], local.access_log_delivery] })
    : jsonencode({ Version = "2012-10-17", Statement = [local.deny_insecure_transport[each.key]] })
  )

  depends_on = [aws_s3_bucket_public_access_block.this]
}
