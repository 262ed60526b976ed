output "endpoint_url" {
  description = "Base URL of the aggregator (GET /healthz, /identity)."
  value       = "http://${openstack_compute_instance_v2.aggregator.access_ip_v4}:${var.aggregator_port}"
}

output "instance_id" {
  value = openstack_compute_instance_v2.aggregator.id
}
