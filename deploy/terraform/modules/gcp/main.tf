terraform {
  required_version = ">= 1.5.0"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 5.0, < 7.0"
    }
  }
}

locals {
  # GCP labels allow lower-case letters, digits, '-' and '_' only: ids are lower-case UUIDs.
  labels = {
    (var.federation_tag_key) = var.federation_id
    "cumulus-deployment"     = var.deployment_id
    "cumulus-aggregator"     = var.aggregator_id
    "cumulus-role"           = var.role
  }
  zone  = "${var.region}-${var.zone_suffix}"
  image = var.architecture == "arm64" ? "ubuntu-os-cloud/ubuntu-2204-lts-arm64" : "ubuntu-os-cloud/ubuntu-2204-lts"
  cloud_init = templatefile("${path.module}/../cloud-init/aggregator.yaml.tftpl", {
    aggregator_id   = var.aggregator_id
    deployment_id   = var.deployment_id
    federation_id   = var.federation_id
    role            = var.role
    provider        = "gcp"
    region          = var.region
    instance_type   = var.instance_type
    aggregator_port = var.aggregator_port
    download_url    = var.aggregator_download_url
    sha256          = var.aggregator_sha256
    gateway_url     = var.gateway_url
  })
  ssh_metadata = var.ssh_public_key == "" ? {} : { "ssh-keys" = "ubuntu:${var.ssh_public_key}" }
}

resource "google_compute_firewall" "aggregator" {
  name          = "${var.name}-aggregator"
  network       = var.network
  direction     = "INGRESS"
  source_ranges = var.allowed_cidrs
  target_tags   = [var.name]

  allow {
    protocol = "tcp"
    ports    = [tostring(var.aggregator_port)]
  }
}

resource "google_compute_firewall" "ssh" {
  count         = length(var.ssh_cidrs) > 0 ? 1 : 0
  name          = "${var.name}-ssh"
  network       = var.network
  direction     = "INGRESS"
  source_ranges = var.ssh_cidrs
  target_tags   = [var.name]

  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
}

resource "google_compute_instance" "aggregator" {
  name         = var.name
  machine_type = var.instance_type
  zone         = local.zone
  tags         = [var.name]
  labels       = local.labels

  boot_disk {
    initialize_params {
      image = local.image
      size  = var.disk_gb
    }
  }

  network_interface {
    network = var.network
    # An ephemeral public address, so participants can reach the aggregator.
    access_config {}
  }

  # Ubuntu's GCP images run cloud-init from the user-data metadata key.
  metadata = merge({ "user-data" = local.cloud_init }, local.ssh_metadata)
}
