data "aws_iam_policy_document" "sagemaker_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name_prefix        = substr("${local.endpoint_name}-", 0, 38)
  description        = "SageMaker execution role for ${local.endpoint_name}"
  assume_role_policy = data.aws_iam_policy_document.sagemaker_trust.json
  tags               = local.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "PullModelImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [aws_ecr_repository.model.arn]
  }
  statement {
    # GetAuthorizationToken has no resource-level permissions: AWS only accepts "*".
    sid       = "EcrAuthToken"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "DecryptModelImage"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.this["model-images"].arn]
  }
  statement {
    sid     = "EndpointLogs"
    actions = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = [
      "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/sagemaker/Endpoints/${local.endpoint_name}",
      "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/sagemaker/Endpoints/${local.endpoint_name}:*",
    ]
  }
  statement {
    # PutMetricData has no resource-level permissions; the condition pins the namespace instead.
    sid       = "EndpointMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["/aws/sagemaker/Endpoints"]
    }
  }
  dynamic "statement" {
    for_each = var.data_capture.enabled ? [1] : []
    content {
      sid       = "WriteCapturedData"
      actions   = ["s3:PutObject"]
      resources = ["${aws_s3_bucket.this["data-capture"].arn}/${local.capture_prefix}/${local.endpoint_name}/*"]
    }
  }
  dynamic "statement" {
    for_each = var.data_capture.enabled ? [1] : []
    content {
      sid       = "EncryptCapturedData"
      actions   = ["kms:GenerateDataKey", "kms:Encrypt"]
      resources = [aws_kms_key.this["data-capture"].arn]
    }
  }
  dynamic "statement" {
    for_each = var.model_data_url == null ? [] : [1]
    content {
      sid       = "ReadModelData"
      actions   = ["s3:GetObject"]
      resources = ["arn:${local.partition}:s3:::${trimprefix(coalesce(var.model_data_url, "s3://"), "s3://")}"]
    }
  }
  dynamic "statement" {
    # SageMaker attaches the model's network interfaces in the VPC; the actions have no resource-level scope.
    for_each = var.vpc == null ? [] : [1]
    content {
      sid = "AttachToVpc"
      actions = [
        "ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
        "ec2:DeleteNetworkInterfacePermission", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs",
        "ec2:DescribeDhcpOptions", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
      ]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "least-privilege"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}
