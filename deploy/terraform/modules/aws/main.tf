terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0, < 7.0"
    }
  }
}

locals {
  tags = {
    (var.federation_tag_key) = var.federation_id
    "cumulus-deployment"     = var.deployment_id
    "cumulus-aggregator"     = var.aggregator_id
    "cumulus-role"           = var.role
  }
  ubuntu_arch = var.architecture == "arm64" ? "arm64" : "amd64"
  cloud_init = templatefile("${path.module}/../cloud-init/aggregator.yaml.tftpl", {
    aggregator_id   = var.aggregator_id
    deployment_id   = var.deployment_id
    federation_id   = var.federation_id
    role            = var.role
    provider        = "aws"
    region          = var.region
    instance_type   = var.instance_type
    aggregator_port = var.aggregator_port
    download_url    = var.aggregator_download_url
    sha256          = var.aggregator_sha256
    gateway_url     = var.gateway_url
  })
}

data "aws_vpc" "default" {
  default = true
}

# Ubuntu 22.04 LTS from Canonical's own account.
data "aws_ami" "ubuntu" {
  most_recent = true
  owners      = ["099720109477"]

  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-${local.ubuntu_arch}-server-*"]
  }

  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }
}

resource "aws_security_group" "aggregator" {
  name_prefix = "${var.name}-"
  description = "Cumulus aggregator ${var.aggregator_id}"
  vpc_id      = data.aws_vpc.default.id
  tags        = local.tags

  ingress {
    description = "aggregator API"
    from_port   = var.aggregator_port
    to_port     = var.aggregator_port
    protocol    = "tcp"
    cidr_blocks = var.allowed_cidrs
  }

  dynamic "ingress" {
    for_each = length(var.ssh_cidrs) > 0 ? [1] : []
    content {
      description = "operator SSH"
      from_port   = 22
      to_port     = 22
      protocol    = "tcp"
      cidr_blocks = var.ssh_cidrs
    }
  }

  egress {
    description = "downloads, the gateway, participants"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_key_pair" "operator" {
  count           = var.ssh_public_key == "" ? 0 : 1
  key_name_prefix = "${var.name}-"
  public_key      = var.ssh_public_key
  tags            = local.tags
}

resource "aws_instance" "aggregator" {
  ami                         = data.aws_ami.ubuntu.id
  instance_type               = var.instance_type
  vpc_security_group_ids      = [aws_security_group.aggregator.id]
  associate_public_ip_address = true
  key_name                    = var.ssh_public_key == "" ? null : aws_key_pair.operator[0].key_name
  user_data                   = local.cloud_init
  user_data_replace_on_change = true
  tags                        = merge(local.tags, { Name = var.name })
  volume_tags                 = local.tags

  metadata_options {
    http_tokens = "required"
  }

  root_block_device {
    volume_size = var.disk_gb
    volume_type = "gp3"
    encrypted   = true
  }
}
