/// The governance paths and schemas of `/openapi.yaml` (the shell adds health, metrics and the
/// Problem schema). GovernanceTests checks that every route the service registers is listed here.
enum GovernanceOpenAPI {
    static let paths = """
          /.well-known/jwks.json:
            get:
              operationId: jwks
              summary: "The public halves of the token signing keys (JWKS)."
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/JWKS'}}
                '400': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/login:
            post:
              operationId: login
              summary: "Log in with email and password."
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/LoginRequest'}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/TokenPair'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/refresh:
            post:
              operationId: refresh
              summary: "Rotate a refresh token; reuse of a spent one revokes its family."
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/RefreshRequest'}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/TokenPair'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/logout:
            post:
              operationId: logout
              summary: "Revoke the refresh token's family."
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/RefreshRequest'}}
              responses:
                '204': {description: Done.}
                '400': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/setup:
            post:
              operationId: setup
              summary: "Create the platform administrator with the one-time setup token."
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/SetupRequest'}}
              responses:
                '201':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/Object'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/me:
            get:
              operationId: me
              summary: "The calling user."
              security: [{bearer: []}]
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/User'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/permissions:
            get:
              operationId: permissions
              summary: "The caller's effective grants."
              security: [{bearer: []}]
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/EffectivePermissions'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/keys/rotate:
            post:
              operationId: rotateSigningKey
              summary: "Start signing with a new key; old tokens stay valid until they expire."
              security: [{bearer: []}]
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/Object'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/token:
            post:
              operationId: token
              summary: "Exchange client credentials or an API key for an access token."
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/TokenRequest'}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/AccessToken'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/service-accounts:
            post:
              operationId: createServiceAccount
              summary: "Create a service account (its secret is shown once)."
              security: [{bearer: []}]
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/NewServiceAccount'}}
              responses:
                '201':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/ServiceAccountCreated'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '409': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/service-accounts/{id}:
            delete:
              operationId: revokeServiceAccount
              summary: "Revoke a service account."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              responses:
                '204': {description: Done.}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/api-keys:
            post:
              operationId: createAPIKey
              summary: "Create an API key (shown once) holding at most the caller's permissions."
              security: [{bearer: []}]
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/NewAPIKey'}}
              responses:
                '201':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/APIKeyCreated'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
            get:
              operationId: listAPIKeys
              summary: "The caller's API keys (never the keys themselves)."
              security: [{bearer: []}]
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/APIKeyList'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/api-keys/{id}:
            delete:
              operationId: revokeAPIKey
              summary: "Revoke one of the caller's API keys."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              responses:
                '204': {description: Done.}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/enrol:
            post:
              operationId: enrolNode
              summary: "Exchange a one-time enrolment token for a node identity bound to its public keys."
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/EnrolmentRequest'}}
              responses:
                '201':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/EnrolledNode'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/node-token:
            post:
              operationId: nodeToken
              summary: "A node's access token, earned by signing a fresh timestamp."
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/NodeTokenRequest'}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/AccessToken'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
          /api/v1/auth/nodes/{id}:
            delete:
              operationId: revokeNode
              summary: "Revoke an enrolled node: its tokens stop working everywhere at once."
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              responses:
                '204': {description: Revoked.}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/orgs:
            post:
              operationId: createOrganisation
              summary: "Create an organisation with its first administrator."
              security: [{bearer: []}]
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/NewOrganisation'}}
              responses:
                '201':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/Organisation'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '409': {$ref: '#/components/responses/Problem'}
            get:
              operationId: listOrganisations
              summary: "Organisations the caller can see."
              security: [{bearer: []}]
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/OrganisationList'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
          /api/v1/orgs/{id}:
            get:
              operationId: getOrganisation
              summary: "One organisation."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/Organisation'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/orgs/{id}/users:
            post:
              operationId: createUser
              summary: "Create a user in the organisation."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/NewUser'}}
              responses:
                '201':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/User'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
                '409': {$ref: '#/components/responses/Problem'}
            get:
              operationId: listUsers
              summary: "The organisation's users."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/UserList'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/federations:
            post:
              operationId: createFederation
              summary: "Create a federation owned by an organisation."
              security: [{bearer: []}]
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/NewFederation'}}
              responses:
                '201':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/Federation'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
                '409': {$ref: '#/components/responses/Problem'}
            get:
              operationId: listFederations
              summary: "Federations the caller's organisation owns or belongs to."
              security: [{bearer: []}]
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/FederationList'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
          /api/v1/federations/{id}:
            get:
              operationId: getFederation
              summary: "One federation with its members."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/Federation'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
            delete:
              operationId: deleteFederation
              summary: "Ask to delete a federation (needs another person's approval; answers 202)."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              responses:
                '202':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/ApprovalPending'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/federations/{id}/invitations:
            post:
              operationId: inviteOrganisation
              summary: "Invite an organisation into the federation."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/Invitation'}}
              responses:
                '201':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/Federation'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/federations/{id}/invitations/{organisation}/accept:
            post:
              operationId: acceptInvitation
              summary: "Accept an invitation, as the invited organisation's administrator."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
                - {name: organisation, in: path, required: true, schema: {type: string, format: uuid}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/Federation'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/federations/{id}/enrolment-tokens:
            post:
              operationId: createEnrolmentToken
              summary: "A one-time, expiring token for enrolling one node (shown once)."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/NewEnrolmentToken'}}
              responses:
                '201':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/EnrolmentTokenCreated'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/roles/permissions:
            get:
              operationId: listPermissions
              summary: "Every permission in the suite."
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/PermissionList'}}
                '400': {$ref: '#/components/responses/Problem'}
          /api/v1/roles:
            get:
              operationId: listRoles
              summary: "Built-in roles and the organisation's custom roles."
              security: [{bearer: []}]
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/RoleList'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
            post:
              operationId: createRole
              summary: "Create a custom role."
              security: [{bearer: []}]
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/NewRole'}}
              responses:
                '201':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/Role'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
                '409': {$ref: '#/components/responses/Problem'}
          /api/v1/roles/{id}:
            get:
              operationId: getRole
              summary: "One role."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/Role'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/roles/{id}/inherits:
            post:
              operationId: inheritRole
              summary: "Make the role inherit another; a cycle answers 409 naming it."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/InheritRequest'}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/Role'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
                '409': {$ref: '#/components/responses/Problem'}
          /api/v1/roles/{id}/bindings:
            post:
              operationId: grantRole
              summary: "Grant the role to a user in a scope (admin roles answer 202 with an approval)."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/NewBinding'}}
              responses:
                '201':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/Binding'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
                '409': {$ref: '#/components/responses/Problem'}
          /api/v1/roles/{id}/bindings/{binding}:
            delete:
              operationId: revokeRole
              summary: "Revoke a role binding."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
                - {name: binding, in: path, required: true, schema: {type: string, format: uuid}}
              responses:
                '204': {description: Done.}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/roles/{id}/review:
            get:
              operationId: reviewRole
              summary: "The role's effective permissions and whether its holders used them."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/PermissionReview'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/users/{id}/permission-review:
            get:
              operationId: reviewUser
              summary: "A user's effective permissions, their sources and their use."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/PermissionReview'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/approvals:
            post:
              operationId: openApproval
              summary: "Open an approval for a critical action the caller may perform."
              security: [{bearer: []}]
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/NewApproval'}}
              responses:
                '201':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/Approval'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
            get:
              operationId: listApprovals
              summary: "The caller's approvals inbox."
              security: [{bearer: []}]
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/ApprovalList'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
          /api/v1/approvals/{id}:
            get:
              operationId: getApproval
              summary: "One approval request."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/Approval'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/approvals/{id}/approve:
            post:
              operationId: approve
              summary: "Approve another user's request."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/Decision'}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/Approval'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
                '409': {$ref: '#/components/responses/Problem'}
          /api/v1/approvals/{id}/reject:
            post:
              operationId: reject
              summary: "Reject another user's request."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/Decision'}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/Approval'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
                '409': {$ref: '#/components/responses/Problem'}
          /api/v1/approvals/{id}/consume:
            post:
              operationId: consumeApproval
              summary: "Mark an approved action as carried out."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/Approval'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
                '409': {$ref: '#/components/responses/Problem'}
          /api/v1/audit:
            get:
              operationId: listAudit
              summary: "Audit entries after a sequence number."
              security: [{bearer: []}]
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/AuditList'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
          /api/v1/audit/verify:
            get:
              operationId: verifyAudit
              summary: "Check the audit log's hash chain; names the first broken entry."
              security: [{bearer: []}]
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/AuditVerification'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
          /api/v1/credentials:
            post:
              operationId: createCredential
              summary: "Upload a cloud credential; it is checked with the provider before it is stored."
              security: [{bearer: []}]
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/NewCloudCredential'}}
              responses:
                '201':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/CloudCredential'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
                '409': {$ref: '#/components/responses/Problem'}
                '422': {$ref: '#/components/responses/Problem'}
                '502': {$ref: '#/components/responses/Problem'}
            get:
              operationId: listCredentials
              summary: "An organisation's cloud credentials, without their secrets."
              security: [{bearer: []}]
              parameters:
                - {name: organisationId, in: query, required: true, schema: {type: string, format: uuid}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/CloudCredentialList'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
          /api/v1/credentials/{id}:
            get:
              operationId: getCredential
              summary: "One cloud credential, without its secret."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/CloudCredential'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
            put:
              operationId: replaceCredential
              summary: "Validate a replacement now; it takes effect once another person approves (202)."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/ReplacementCloudCredential'}}
              responses:
                '202':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/ApprovalPending'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
                '422': {$ref: '#/components/responses/Problem'}
                '502': {$ref: '#/components/responses/Problem'}
            delete:
              operationId: deleteCredential
              summary: "Ask to delete a credential; it goes once another person approves (202)."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              responses:
                '202':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/ApprovalPending'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
          /internal/v1/credentials/{id}/secret:
            post:
              operationId: unsealCredential
              summary: "A credential with its secret, for one of the suite's service accounts holding credentials:use (each use audited). The gateway does not route /internal."
              security: [{bearer: []}]
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
              requestBody:
                required: true
                content:
                  application/json: {schema: {$ref: '#/components/schemas/CredentialUse'}}
              responses:
                '200':
                  description: OK.
                  content:
                    application/json: {schema: {$ref: '#/components/schemas/UnsealedCloudCredential'}}
                '400': {$ref: '#/components/responses/Problem'}
                '401': {$ref: '#/components/responses/Problem'}
                '403': {$ref: '#/components/responses/Problem'}
                '404': {$ref: '#/components/responses/Problem'}
        """

    static let schemas = """
            JWKS: {type: object, required: [keys], properties: {keys: {type: array, items: {type: object}}}}
            Object: {type: object}
            ScopeRef: {type: object, required: [kind], properties: {kind: {type: string, enum: [platform, organisation, federation]}, id: {type: string, format: uuid}}}
            Grant: {type: object, required: [permission, scope], properties: {permission: {type: string}, scope: {$ref: '#/components/schemas/ScopeRef'}}}
            EffectivePermissions: {type: object, required: [subject, grants], properties: {subject: {type: string}, organisationId: {type: string, format: uuid}, grants: {type: array, items: {$ref: '#/components/schemas/Grant'}}}}
            LoginRequest: {type: object, required: [email, password], properties: {email: {type: string}, password: {type: string}}}
            TokenPair: {type: object, required: [accessToken, refreshToken, tokenType, expiresIn], properties: {accessToken: {type: string}, refreshToken: {type: string}, tokenType: {type: string}, expiresIn: {type: integer}}}
            RefreshRequest: {type: object, required: [refreshToken], properties: {refreshToken: {type: string}}}
            SetupRequest: {type: object, required: [token, email, password, displayName], properties: {token: {type: string}, email: {type: string}, password: {type: string, minLength: 12}, displayName: {type: string}}}
            NewUser: {type: object, required: [email, password, displayName], properties: {email: {type: string}, password: {type: string, minLength: 12, maxLength: 256}, displayName: {type: string}}}
            User: {type: object, required: [id, email, displayName, disabled], properties: {id: {type: string, format: uuid}, organisationId: {type: string, format: uuid}, email: {type: string}, displayName: {type: string}, disabled: {type: boolean}}}
            UserList: {type: array, items: {$ref: '#/components/schemas/User'}}
            NewOrganisation: {type: object, required: [name, admin], properties: {name: {type: string}, admin: {$ref: '#/components/schemas/NewUser'}}}
            Organisation: {type: object, required: [id, name, createdAt], properties: {id: {type: string, format: uuid}, name: {type: string}, createdAt: {type: string, format: date-time}}}
            OrganisationList: {type: array, items: {$ref: '#/components/schemas/Organisation'}}
            NewFederation: {type: object, required: [name, ownerOrganisationId], properties: {name: {type: string}, ownerOrganisationId: {type: string, format: uuid}}}
            Federation: {type: object, required: [id, name, ownerOrganisationId, members, createdAt], properties: {id: {type: string, format: uuid}, name: {type: string}, ownerOrganisationId: {type: string, format: uuid}, members: {type: array, items: {type: object, properties: {organisationId: {type: string, format: uuid}, status: {type: string, enum: [invited, active]}}}}, createdAt: {type: string, format: date-time}}}
            FederationList: {type: array, items: {$ref: '#/components/schemas/Federation'}}
            Invitation: {type: object, required: [organisationId], properties: {organisationId: {type: string, format: uuid}}}
            NewRole: {type: object, required: [organisationId, name, permissions], properties: {organisationId: {type: string, format: uuid}, name: {type: string}, description: {type: string}, permissions: {type: array, items: {type: string}}, inherits: {type: array, items: {type: string, format: uuid}}}}
            Role: {type: object, required: [id, name, description, builtIn, permissions, inherits], properties: {id: {type: string, format: uuid}, organisationId: {type: string, format: uuid}, name: {type: string}, description: {type: string}, builtIn: {type: boolean}, permissions: {type: array, items: {type: string}}, inherits: {type: array, items: {type: string, format: uuid}}}}
            RoleList: {type: array, items: {$ref: '#/components/schemas/Role'}}
            PermissionList: {type: array, items: {type: object, properties: {name: {type: string}, summary: {type: string}, critical: {type: boolean}}}}
            InheritRequest: {type: object, required: [parentRoleId], properties: {parentRoleId: {type: string, format: uuid}}}
            NewBinding: {type: object, required: [userId, scope], properties: {userId: {type: string, format: uuid}, scope: {$ref: '#/components/schemas/ScopeRef'}}}
            Binding: {type: object, required: [id, userId, roleId, scope], properties: {id: {type: string, format: uuid}, userId: {type: string, format: uuid}, roleId: {type: string, format: uuid}, scope: {$ref: '#/components/schemas/ScopeRef'}}}
            NewApproval: {type: object, required: [action, permission, scope, summary], properties: {action: {type: string}, permission: {type: string}, scope: {$ref: '#/components/schemas/ScopeRef'}, summary: {type: string}, payload: {type: object, additionalProperties: {type: string}}, expiresInSeconds: {type: integer}}}
            Approval: {type: object, required: [id, action, permission, scope, summary, payload, requestedBy, status, createdAt, expiresAt], properties: {id: {type: string, format: uuid}, action: {type: string}, permission: {type: string}, scope: {$ref: '#/components/schemas/ScopeRef'}, summary: {type: string}, payload: {type: object, additionalProperties: {type: string}}, requestedBy: {type: string, format: uuid}, status: {type: string, enum: [pending, approved, rejected, expired, consumed]}, decidedBy: {type: string, format: uuid}, reason: {type: string}, createdAt: {type: string, format: date-time}, expiresAt: {type: string, format: date-time}}}
            ApprovalList: {type: array, items: {$ref: '#/components/schemas/Approval'}}
            ApprovalPending: {type: object, required: [approval], properties: {approval: {$ref: '#/components/schemas/Approval'}}}
            Decision: {type: object, properties: {reason: {type: string}}}
            AuditEntry: {type: object, required: [sequence, at, actor, action, target, outcome, details, hash], properties: {sequence: {type: integer}, at: {type: string, format: date-time}, actor: {type: string}, action: {type: string}, target: {type: string}, outcome: {type: string}, organisationId: {type: string, format: uuid}, federationId: {type: string, format: uuid}, details: {type: string}, hash: {type: string}}}
            AuditList: {type: array, items: {$ref: '#/components/schemas/AuditEntry'}}
            AuditVerification: {type: object, required: [intact, entriesChecked], properties: {intact: {type: boolean}, entriesChecked: {type: integer}, firstBrokenSequence: {type: integer}, problem: {type: string}}}
            PermissionReview: {type: object, required: [subject, windowDays, items, unusedCount], properties: {subject: {type: string}, windowDays: {type: integer}, unusedCount: {type: integer}, items: {type: array, items: {type: object, properties: {permission: {type: string}, scope: {$ref: '#/components/schemas/ScopeRef'}, via: {type: array, items: {type: array, items: {type: string}}}, usedInWindow: {type: boolean}, lastUsedAt: {type: string, format: date-time}}}}}}
            TokenRequest: {type: object, required: [grantType], properties: {grantType: {type: string, enum: [client_credentials, api_key]}, clientId: {type: string}, clientSecret: {type: string}, apiKey: {type: string}}}
            AccessToken: {type: object, required: [accessToken, tokenType, expiresIn], properties: {accessToken: {type: string}, tokenType: {type: string}, expiresIn: {type: integer}}}
            NewServiceAccount: {type: object, required: [name, permissions], properties: {name: {type: string}, permissions: {type: array, items: {type: string}}}}
            ServiceAccountCreated: {type: object, required: [id, name, clientId, clientSecret, permissions], properties: {id: {type: string, format: uuid}, name: {type: string}, clientId: {type: string}, clientSecret: {type: string}, permissions: {type: array, items: {type: string}}}}
            NewAPIKey: {type: object, required: [name, permissions, scope], properties: {name: {type: string}, permissions: {type: array, items: {type: string}}, scope: {$ref: '#/components/schemas/ScopeRef'}, expiresInDays: {type: integer}}}
            APIKey: {type: object, required: [id, name, permissions, scope, createdAt, expiresAt, revoked], properties: {id: {type: string, format: uuid}, name: {type: string}, permissions: {type: array, items: {type: string}}, scope: {$ref: '#/components/schemas/ScopeRef'}, createdAt: {type: string, format: date-time}, expiresAt: {type: string, format: date-time}, lastUsedAt: {type: string, format: date-time}, revoked: {type: boolean}}}
            APIKeyList: {type: array, items: {$ref: '#/components/schemas/APIKey'}}
            APIKeyCreated: {type: object, required: [apiKey, key], properties: {apiKey: {$ref: '#/components/schemas/APIKey'}, key: {type: string}}}
            NewEnrolmentToken: {type: object, required: [organisationId], properties: {organisationId: {type: string, format: uuid}, expiresInMinutes: {type: integer}}}
            EnrolmentTokenCreated: {type: object, required: [token, organisationId, federationId, expiresAt], properties: {token: {type: string}, organisationId: {type: string, format: uuid}, federationId: {type: string, format: uuid}, expiresAt: {type: string, format: date-time}}}
            EnrolmentRequest: {type: object, required: [token, hostname, signingPublicKey, agreementPublicKey], properties: {token: {type: string}, hostname: {type: string}, signingPublicKey: {type: string}, agreementPublicKey: {type: string}}}
            EnrolledNode: {type: object, required: [nodeId, organisationId, federationId], properties: {nodeId: {type: string, format: uuid}, organisationId: {type: string, format: uuid}, federationId: {type: string, format: uuid}}}
            NodeTokenRequest: {type: object, required: [nodeId, timestamp, signature], properties: {nodeId: {type: string, format: uuid}, timestamp: {type: integer}, signature: {type: string}}}
            NewCloudCredential: {type: object, required: [organisationId, provider, label, credential], properties: {organisationId: {type: string, format: uuid}, provider: {type: string, enum: [aws, gcp, azure, openstack]}, label: {type: string}, credential: {type: object, additionalProperties: {type: string}}}}
            ReplacementCloudCredential: {type: object, required: [credential], properties: {credential: {type: object, additionalProperties: {type: string}}}}
            CloudCredential: {type: object, required: [id, organisationId, provider, label, account, principal, publicFields, status, validatedAt, createdAt], properties: {id: {type: string, format: uuid}, organisationId: {type: string, format: uuid}, provider: {type: string}, label: {type: string}, account: {type: string}, principal: {type: string}, publicFields: {type: object, additionalProperties: {type: string}}, status: {type: string}, validatedAt: {type: string, format: date-time}, createdAt: {type: string, format: date-time}}}
            CloudCredentialList: {type: array, items: {$ref: '#/components/schemas/CloudCredential'}}
            CredentialUse: {type: object, required: [purpose, onBehalfOf], properties: {purpose: {type: string, maxLength: 200}, onBehalfOf: {type: string, maxLength: 200}}}
            UnsealedCloudCredential: {type: object, required: [id, organisationId, provider, account, credential], properties: {id: {type: string, format: uuid}, organisationId: {type: string, format: uuid}, provider: {type: string}, account: {type: string}, credential: {type: object, additionalProperties: {type: string}}}}
        """
}
