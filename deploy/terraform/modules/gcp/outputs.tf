output "endpoint_url" {
  description = "Base URL of the aggregator (GET /healthz, /identity)."
  value       = "http://${google_compute_instance.aggregator.network_interface[0].access_config[0].nat_ip}:${var.aggregator_port}"
}

output "instance_id" {
  value = google_compute_instance.aggregator.instance_id
}
