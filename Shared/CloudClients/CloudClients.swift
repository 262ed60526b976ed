/// HTTP clients for the cloud providers' own APIs.
public enum CloudClients {}
