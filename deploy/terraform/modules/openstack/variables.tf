# One Cumulus aggregator on an OpenStack Nova server. The provider (Keystone credentials from the
# OS_* environment or clouds.yaml) comes from the caller, one aliased "openstack" provider per region.

variable "name" {
  description = "Name of the server and its security group."
  type        = string
}

variable "region" {
  description = "OpenStack region, as the placement chose it (e.g. RegionOne)."
  type        = string
}

variable "instance_type" {
  description = "Flavor name, as the placement chose it (e.g. m1.large)."
  type        = string
}

variable "architecture" {
  description = "CPU architecture of the flavor: x86_64 or arm64 (pick an image to match)."
  type        = string
  default     = "x86_64"
  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "aggregator_id" {
  type = string
}

variable "deployment_id" {
  type = string
}

variable "federation_id" {
  type = string
}

variable "role" {
  description = "single, global or regional."
  type        = string
}

variable "aggregator_port" {
  description = "TCP port the aggregator listens on."
  type        = number
  default     = 7443
}

variable "allowed_cidrs" {
  description = "Who may reach the aggregator port (participants, the other aggregators, the coordinator)."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "ssh_cidrs" {
  description = "Who may reach SSH; empty closes it."
  type        = list(string)
  default     = []
}

variable "ssh_public_key" {
  description = "An operator's OpenSSH public key; empty installs none."
  type        = string
  default     = ""
}

variable "disk_gb" {
  type    = number
  default = 30
}

variable "aggregator_download_url" {
  description = "Where cloud-init downloads the aggregator executable from."
  type        = string
  validation {
    condition     = can(regex("^https?://", var.aggregator_download_url))
    error_message = "aggregator_download_url must be an http(s) URL (CUMULUS_PLACEMENT_AGGREGATOR_DOWNLOAD_URL)."
  }
}

variable "aggregator_sha256" {
  description = "SHA-256 of that executable, checked before it is installed."
  type        = string
  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.aggregator_sha256))
    error_message = "aggregator_sha256 must be 64 lower-case hex digits (CUMULUS_PLACEMENT_AGGREGATOR_SHA256)."
  }
}

variable "gateway_url" {
  description = "The Cumulus gateway the aggregator reports to."
  type        = string
}

variable "federation_tag_key" {
  description = "Cost-allocation tag whose value is the federation id (billing groups by it)."
  type        = string
  default     = "cumulus-federation"
}

variable "image_name" {
  description = "Glance image with cloud-init, e.g. an Ubuntu 22.04 cloud image."
  type        = string
  default     = "ubuntu-22.04"
}

variable "network" {
  description = "Neutron network the server attaches to."
  type        = string
  default     = "public"
}
