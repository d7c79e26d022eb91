# Bad variables are rejected by validation blocks before anything is planned.

mock_provider "aws" {}

variables {
  project_name        = "mlops"
  environment         = "staging"
  model_name          = "fraud-xgb"
  image_tag           = "1.0.0"
  data_classification = "internal"
}

run "rejects_latest_image_tag" {
  command = plan
  variables {
    image_tag = "latest"
  }
  expect_failures = [var.image_tag]
}

run "rejects_uppercase_project_name" {
  command = plan
  variables {
    project_name = "MLOps"
  }
  expect_failures = [var.project_name]
}

run "rejects_sampling_above_100" {
  command = plan
  variables {
    data_capture = { sampling_percent = 150 }
  }
  expect_failures = [var.data_capture]
}

run "rejects_capture_of_nothing" {
  command = plan
  variables {
    data_capture = { capture_input = false, capture_output = false }
  }
  expect_failures = [var.data_capture]
}

run "rejects_unknown_rollout_strategy" {
  command = plan
  variables {
    rollout = { strategy = "BLUE_GREEN" }
  }
  expect_failures = [var.rollout]
}

run "rejects_canary_step_above_50" {
  command = plan
  variables {
    rollout = { step_percent = 80 }
  }
  expect_failures = [var.rollout]
}

run "rejects_unknown_data_classification" {
  command = plan
  variables {
    data_classification = "secret"
  }
  expect_failures = [var.data_classification]
}

run "rejects_vpc_without_security_groups" {
  command = plan
  variables {
    vpc = { subnet_ids = ["subnet-0123456789abcdef0"], security_group_ids = [] }
  }
  expect_failures = [var.vpc]
}

run "rejects_retention_below_2_days" {
  command = plan
  variables {
    capture_retention_days = 1
  }
  expect_failures = [var.capture_retention_days]
}

run "rejects_data_classification_in_tags" {
  command = plan
  variables {
    tags = { DataClassification = "public" }
  }
  expect_failures = [var.tags]
}
