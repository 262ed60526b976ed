terraform {
  required_version = ">= 1.5.0"
  required_providers {
    openstack = {
      source  = "terraform-provider-openstack/openstack"
      version = ">= 1.54, < 4.0"
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
  cloud_init = templatefile("${path.module}/../cloud-init/aggregator.yaml.tftpl", {
    aggregator_id   = var.aggregator_id
    deployment_id   = var.deployment_id
    federation_id   = var.federation_id
    role            = var.role
    provider        = "openstack"
    region          = var.region
    instance_type   = var.instance_type
    aggregator_port = var.aggregator_port
    download_url    = var.aggregator_download_url
    sha256          = var.aggregator_sha256
    gateway_url     = var.gateway_url
  })
}

resource "openstack_networking_secgroup_v2" "aggregator" {
  name        = var.name
  description = "Cumulus aggregator ${var.aggregator_id}"
}

resource "openstack_networking_secgroup_rule_v2" "aggregator" {
  for_each          = toset(var.allowed_cidrs)
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  port_range_min    = var.aggregator_port
  port_range_max    = var.aggregator_port
  remote_ip_prefix  = each.value
  security_group_id = openstack_networking_secgroup_v2.aggregator.id
}

resource "openstack_networking_secgroup_rule_v2" "ssh" {
  for_each          = toset(var.ssh_cidrs)
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  port_range_min    = 22
  port_range_max    = 22
  remote_ip_prefix  = each.value
  security_group_id = openstack_networking_secgroup_v2.aggregator.id
}

resource "openstack_compute_keypair_v2" "operator" {
  count      = var.ssh_public_key == "" ? 0 : 1
  name       = var.name
  public_key = var.ssh_public_key
}

resource "openstack_compute_instance_v2" "aggregator" {
  name            = var.name
  flavor_name     = var.instance_type
  image_name      = var.image_name
  key_pair        = var.ssh_public_key == "" ? null : openstack_compute_keypair_v2.operator[0].name
  security_groups = [openstack_networking_secgroup_v2.aggregator.name]
  user_data       = local.cloud_init
  metadata        = local.tags

  network {
    name = var.network
  }
}
