/// SecureAggregation: the SecAgg+ protocol's pure core — Shamir sharing, pairwise and self
/// masks expanded by a cryptographic PRG, authenticated share encryption, and unmasking with
/// dropouts. No I/O: agents and the coordinator exchange its messages.
public enum SecureAggregation {}
