output "endpoint_url" {
  description = "Base URL of the aggregator (GET /healthz, /identity)."
  value       = "http://${aws_instance.aggregator.public_ip}:${var.aggregator_port}"
}

output "instance_id" {
  value = aws_instance.aggregator.id
}
