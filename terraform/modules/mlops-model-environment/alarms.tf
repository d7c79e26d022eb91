resource "aws_sns_topic" "alerts" {
  name              = "${local.endpoint_name}-alerts"
  display_name      = "${var.project_name} ${var.environment} ${var.model_name} MLOps alerts"
  kms_master_key_id = aws_kms_key.this["data"].arn
  tags              = local.tags
}

resource "aws_sns_topic_policy" "alerts" {
  arn = aws_sns_topic.alerts.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Action    = "sns:Publish"
        Principal = "*"
        Resource  = aws_sns_topic.alerts.arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "CloudWatchAlarmsPublish"
        Effect    = "Allow"
        Action    = "sns:Publish"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Resource  = aws_sns_topic.alerts.arn
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
    ]
  })
}

resource "aws_sns_topic_subscription" "email" {
  count = var.alarm_email == null ? 0 : 1

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

locals {
  dimensions = { EndpointName = local.endpoint_name, VariantName = local.variant_name }
}

# The endpoint's own alarms: each notifies the topic and rolls a deployment in progress back.
resource "aws_cloudwatch_metric_alarm" "rollback" {
  for_each = {
    "5xx-errors" = {
      description = "more than ${var.alarm_thresholds.errors_5xx_per_minute} 5XX errors a minute"
      metric      = "Invocation5XXErrors"
      statistic   = "Sum"
      threshold   = var.alarm_thresholds.errors_5xx_per_minute
    }
    # ModelLatency is reported in microseconds; the threshold is given in milliseconds.
    "model-latency-p99" = {
      description = "p99 model latency above ${var.alarm_thresholds.latency_p99_ms} ms"
      metric      = "ModelLatency"
      statistic   = "p99"
      threshold   = var.alarm_thresholds.latency_p99_ms * 1000
    }
  }

  alarm_name          = "${local.endpoint_name}-${each.key}"
  alarm_description   = "${local.endpoint_name}: ${each.value.description}. Rolls back a deployment in progress."
  namespace           = "AWS/SageMaker"
  metric_name         = each.value.metric
  dimensions          = local.dimensions
  statistic           = each.value.statistic == "Sum" ? "Sum" : null
  extended_statistic  = each.value.statistic == "Sum" ? null : each.value.statistic
  period              = 60
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "error_4xx_rate" {
  alarm_name          = "${local.endpoint_name}-4xx-rate"
  alarm_description   = "${local.endpoint_name}: 4XX errors above ${var.alarm_thresholds.error_4xx_rate_percent}% of invocations. Rolls back a deployment in progress."
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = var.alarm_thresholds.error_4xx_rate_percent
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]
  tags                = local.tags

  metric_query {
    id          = "rate"
    expression  = "IF(invocations > 0, 100 * errors / invocations, 0)"
    label       = "4XX rate (%)"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = { errors = "Invocation4XXErrors", invocations = "Invocations" }
    content {
      id = metric_query.key
      metric {
        namespace   = "AWS/SageMaker"
        metric_name = metric_query.value
        dimensions  = local.dimensions
        period      = 60
        stat        = "Sum"
      }
    }
  }
}
