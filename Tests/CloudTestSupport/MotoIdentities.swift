import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

import CloudClients

/// Real IAM identities inside the moto server, made once per test process:
/// a user with a long-term access key, and temporary credentials from assuming a role.
///
/// moto checks signatures only when its IAM authentication is on
/// (INITIAL_NO_AUTH_ACTION_COUNT), and then only for keys its IAM knows, so the identities are
/// created with authentication switched off (POST /moto-api/reset-auth "inf") and it is
/// switched on again for every request after them (reset-auth "0"). Every AWS test awaits this
/// before it sends anything, so none runs while authentication is off.
public struct MotoIdentities: Sendable {
    public let userName: String
    public let userKey: AWSCredentialInput
    public let roleName: String
    public let sessionName: String
    public let temporaryKey: AWSCredentialInput
    /// A user whose inline policy allows Cost Explorer's GetCostAndUsage (moto checks IAM
    /// policies for every action but GetCallerIdentity), for the billing tests.
    public let billingKey: AWSCredentialInput

    public static let account = "123456789012"

    public static func shared() async throws -> MotoIdentities {
        try await Provisioner.shared.identities()
    }

    private actor Provisioner {
        static let shared = Provisioner()
        private var task: Task<MotoIdentities, any Error>?

        func identities() async throws -> MotoIdentities {
            if let task { return try await task.value }
            let task = Task { try await MotoIdentities.provision() }
            self.task = task
            return try await task.value
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private static func provision() async throws -> MotoIdentities {
        let moto = try CloudTestEnvironment.motoURL()
        let suffix = CloudTestEnvironment.unique()
        try await setAuthentication(moto, count: "inf")
        let userName = "cumulus-validator-\(suffix)"
        _ = try await query(moto, service: "iam", ["Action": "CreateUser", "Version": "2010-05-08", "UserName": userName])
        let keyXML = try await query(moto, service: "iam", ["Action": "CreateAccessKey", "Version": "2010-05-08", "UserName": userName])
        let roleName = "cumulus-role-\(suffix)"
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#
        _ = try await query(moto, service: "iam", ["Action": "CreateRole", "Version": "2010-05-08", "RoleName": roleName, "AssumeRolePolicyDocument": trust])
        let billingName = "cumulus-billing-\(suffix)"
        _ = try await query(moto, service: "iam", ["Action": "CreateUser", "Version": "2010-05-08", "UserName": billingName])
        let billingPolicy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ce:GetCostAndUsage","Resource":"*"}]}"#
        _ = try await query(moto, service: "iam", ["Action": "PutUserPolicy", "Version": "2010-05-08", "UserName": billingName,
                                                   "PolicyName": "cost-explorer-read", "PolicyDocument": billingPolicy])
        let billingXML = try await query(moto, service: "iam", ["Action": "CreateAccessKey", "Version": "2010-05-08", "UserName": billingName])
        let sessionName = "session-\(suffix)"
        let roleXML = try await query(moto, service: "sts", [
            "Action": "AssumeRole", "Version": "2011-06-15", "RoleSessionName": sessionName,
            "RoleArn": "arn:aws:iam::\(account):role/\(roleName)",
        ])
        try await setAuthentication(moto, count: "0")

        func field(_ name: String, _ xml: String) throws -> String {
            guard let value = AWSQueryXML.text(of: name, in: xml), !value.isEmpty else {
                throw Failure(description: "moto's answer has no \(name)")
            }
            return value
        }
        return MotoIdentities(
            userName: userName,
            userKey: AWSCredentialInput(accessKeyID: try field("AccessKeyId", keyXML),
                                        secretAccessKey: SecretString(try field("SecretAccessKey", keyXML))),
            roleName: roleName,
            sessionName: sessionName,
            temporaryKey: AWSCredentialInput(accessKeyID: try field("AccessKeyId", roleXML),
                                             secretAccessKey: SecretString(try field("SecretAccessKey", roleXML)),
                                             sessionToken: SecretString(try field("SessionToken", roleXML))),
            billingKey: AWSCredentialInput(accessKeyID: try field("AccessKeyId", billingXML),
                                           secretAccessKey: SecretString(try field("SecretAccessKey", billingXML)))
        )
    }

    /// moto reads the body as a number, and only when it is not sent as a form.
    private static func setAuthentication(_ moto: String, count: String) async throws {
        var request = HTTPClientRequest(url: moto + "/moto-api/reset-auth")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/plain")
        request.body = .bytes(ByteBuffer(string: count))
        let response = try await CloudTestEnvironment.http.execute(request, timeout: .seconds(30))
        let body = String(buffer: try await response.body.collect(upTo: 1 << 16))
        guard response.status == .ok else {
            throw Failure(description: "moto /moto-api/reset-auth answered \(response.status.code): \(body)")
        }
    }

    /// An AWS Query API call, signed (moto routes by the service in the signature's scope).
    private static func query(_ moto: String, service: String, _ parameters: [String: String]) async throws -> String {
        let url = moto + "/"
        let body = FormEncoding.encode(parameters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        var headers = HTTPHeaders([("Content-Type", FormEncoding.contentType)])
        let signer = SigV4Signer(credentials: .init(accessKeyID: "AKIAPROVISIONING000", secretAccessKey: "unused-while-auth-is-off"),
                                 service: service, region: "us-east-1")
        headers.add(contentsOf: try signer.sign(method: "POST", url: url, headers: headers, body: Array(body.utf8), date: Date()).headers)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers = headers
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await CloudTestEnvironment.http.execute(request, timeout: .seconds(30))
        let xml = String(buffer: try await response.body.collect(upTo: 1 << 20))
        guard response.status == .ok else {
            throw Failure(description: "moto \(service) \(parameters["Action"] ?? "?") answered \(response.status.code): \(xml)")
        }
        return xml
    }
}
