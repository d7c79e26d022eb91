resource "aws_iam_role" "execution" {
  name_prefix = substr("${local.endpoint_name}-", 0, 38)
  description = "SageMaker execution role for ${local.endpoint_name}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "sagemaker.amazonaws.com" }
    }]
  })
  tags = local.tags
}

locals {
  log_group_arn = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/sagemaker/Endpoints/${local.endpoint_name}"

  execution_statements = concat(
    [
      {
        Sid      = "PullModelImage"
        Effect   = "Allow"
        Action   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
        Resource = aws_ecr_repository.model.arn
      },
      {
        # GetAuthorizationToken has no resource-level permissions: AWS only accepts "*".
        Sid      = "EcrAuthToken"
        Effect   = "Allow"
        Action   = "ecr:GetAuthorizationToken"
        Resource = "*"
      },
      {
        Sid      = "DecryptModelImage"
        Effect   = "Allow"
        Action   = "kms:Decrypt"
        Resource = aws_kms_key.this["model-images"].arn
      },
      {
        Sid      = "EndpointLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
        Resource = [local.log_group_arn, "${local.log_group_arn}:*"]
      },
      {
        # PutMetricData has no resource-level permissions; the condition pins the namespace instead.
        Sid       = "EndpointMetrics"
        Effect    = "Allow"
        Action    = "cloudwatch:PutMetricData"
        Resource  = "*"
        Condition = { StringEquals = { "cloudwatch:namespace" = "/aws/sagemaker/Endpoints" } }
      },
    ],
    # `[for ... if cond]` rather than `cond ? [...] : []`: tuples of different lengths are different types.
    [for st in [
      {
        Sid      = "WriteCapturedData"
        Effect   = "Allow"
        Action   = "s3:PutObject"
        Resource = "${local.bucket_arns["data-capture"]}/${local.capture_prefix}/${local.endpoint_name}/*"
      },
      {
        Sid      = "EncryptCapturedData"
        Effect   = "Allow"
        Action   = ["kms:GenerateDataKey", "kms:Encrypt"]
        Resource = aws_kms_key.this["data-capture"].arn
      },
    ] : st if var.data_capture.enabled],
    [for st in [
      {
        Sid      = "ReadModelData"
        Effect   = "Allow"
        Action   = "s3:GetObject"
        Resource = "arn:${local.partition}:s3:::${trimprefix(coalesce(var.model_data_url, "s3://"), "s3://")}"
      },
    ] : st if var.model_data_url != null],
    # SageMaker attaches the model's network interfaces in the VPC; these actions have no resource-level scope.
    [for st in [
      {
        Sid    = "AttachToVpc"
        Effect = "Allow"
        Action = [
          "ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
          "ec2:DeleteNetworkInterfacePermission", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs",
          "ec2:DescribeDhcpOptions", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
        ]
        Resource = "*"
      },
    ] : st if var.vpc != null],
  )
}

resource "aws_iam_role_policy" "execution" {
  name   = "least-privilege"
  role   = aws_iam_role.execution.id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.execution_statements })
}
