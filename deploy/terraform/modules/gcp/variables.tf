# One Cumulus aggregator on a GCP Compute Engine VM. The provider (project, credentials) comes
# from the caller: the placement service renders one aliased "google" provider per region.

variable "name" {
  description = "Name of the VM, its network tag and firewall rules (lower case, digits, dashes)."
  type        = string
}

variable "region" {
  description = "GCP region, as the placement chose it (e.g. europe-west4)."
  type        = string
}

variable "instance_type" {
  description = "Machine type, as the placement chose it (e.g. e2-standard-2)."
  type        = string
}

variable "architecture" {
  description = "CPU architecture of the machine type: x86_64 or arm64 (Tau T2A, Axion)."
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

variable "zone_suffix" {
  description = "Zone within the region (most regions have zone b)."
  type        = string
  default     = "b"
}

variable "network" {
  description = "VPC network the VM and its firewall rules use."
  type        = string
  default     = "default"
}
