/// The costs service's paths and schemas of `/openapi.yaml` (the shell adds health, metrics and
/// the Problem schema). CostsTests checks every registered route is listed here.
enum CostsOpenAPI {
    struct Operation {
        var method: String
        var id: String
        var summary: String
        var request: String?
        var requestType = "application/json"
        var response: String?
        var status = "200"
        var query: [String] = []
        var errors = ["400", "401", "403", "404"]
    }

    static let operations: [(path: String, operations: [Operation])] = [
        ("/api/v1/prices", [Operation(method: "get", id: "listPrices", summary: "Current on-demand prices, cheapest first, filtered.", response: "PriceList",
                                      query: ["provider", "region", "instanceType", "minVcpus", "minMemoryGb", "maxHourlyUsd", "limit", "offset"],
                                      errors: ["400", "401", "403"])]),
        ("/api/v1/prices/egress", [Operation(method: "get", id: "listEgressPrices", summary: "Egress prices per GB by provider and region override.",
                                             response: "EgressPriceList", errors: ["401", "403"])]),
        ("/api/v1/prices/catalogue", [Operation(method: "get", id: "getCatalogue", summary: "The whole catalogue: prices, egress and latencies.",
                                                response: "CatalogueDocument", errors: ["401", "403"])]),
        ("/api/v1/prices/import", [Operation(method: "post", id: "importPrices",
                                             summary: "Import a price list CSV (cloud_name,region_name,instance_type,vcpu_count,memory_gb,on_demand_price; a UTF-8 BOM is accepted). Idempotent and versioned; malformed rows are reported by line.",
                                             request: "CSV", requestType: "text/csv", response: "ImportReport", query: ["file", "replace", "dryRun"],
                                             errors: ["400", "401", "403", "413"])]),
        ("/api/v1/prices/refresh", [Operation(method: "post", id: "refreshPrices", summary: "Import live prices from a provider's public price API (azure, aws, gcp).",
                                              request: "PriceRefreshRequest", response: "ImportReport", errors: ["400", "401", "403", "502"])]),
        ("/api/v1/latencies", [Operation(method: "get", id: "listLatencies", summary: "Measured round-trip times between regions.", response: "LatencyList",
                                         query: ["provider", "region", "limit", "offset"], errors: ["400", "401", "403"])]),
        ("/api/v1/latencies/import", [Operation(method: "post", id: "importLatencies", summary: "Import latency measurements (CSV). Idempotent and versioned.",
                                                request: "CSV", requestType: "text/csv", response: "ImportReport", query: ["file", "dryRun"],
                                                errors: ["400", "401", "403", "413"])]),
        ("/api/v1/costs/{federationId}", [Operation(method: "get", id: "getCosts", summary: "A federation's metered cost by day, provider, region and component.",
                                                    response: "CostReport", query: ["from", "to"])]),
        ("/api/v1/costs/{federationId}/line-items", [Operation(method: "get", id: "listLineItems", summary: "Priced line items and unpriced events.",
                                                               response: "LineItemList", query: ["from", "to", "limit"])]),
        ("/api/v1/costs/{federationId}/billing", [Operation(method: "get", id: "getBilling", summary: "The provider bill stored for the federation.",
                                                            response: "BillingReport")]),
        ("/api/v1/costs/{federationId}/billing/aws", [Operation(method: "post", id: "syncAWSBilling",
                                                                summary: "Read the federation's AWS bill (Cost Explorer, grouped by the federation tag), signed with an AWS credential kept by governance.",
                                                                request: "AWSBillingSyncRequest", response: "BillingReport",
                                                                errors: ["400", "401", "403", "404", "422", "502", "503"])]),
        ("/api/v1/budgets", [
            Operation(method: "post", id: "createBudget", summary: "Create a budget; thresholds fire once per period.", request: "NewBudget",
                      response: "Budget", status: "201"),
            Operation(method: "get", id: "listBudgets", summary: "A federation's budgets with spend in the current period.", response: "BudgetList",
                      query: ["federationId"]),
        ]),
        ("/api/v1/budgets/{id}", [
            Operation(method: "get", id: "getBudget", summary: "A budget, its spend and firings.", response: "Budget"),
            Operation(method: "put", id: "changeBudget", summary: "Change the limit or thresholds (the period cannot change).", request: "BudgetChange",
                      response: "Budget"),
            Operation(method: "delete", id: "deleteBudget", summary: "Delete a budget.", status: "204", errors: ["401", "403", "404"]),
        ]),
        ("/api/v1/estimates", [Operation(method: "post", id: "createEstimate",
                                         summary: "Price a template on every provider and region, cheapest first, with the recommendation and its reason.",
                                         request: "EstimateRequest", response: "Estimate", errors: ["400", "401", "403"])]),
    ]

    static var paths: String {
        var yaml = ""
        for (path, operations) in operations {
            yaml += "      \(path):\n"
            for op in operations {
                yaml += "        \(op.method):\n          operationId: \(op.id)\n          summary: \"\(op.summary)\"\n          security: [{bearer: []}]\n"
                var parameters = op.query.map { "            - {name: \($0), in: query, required: false, schema: {type: string}}\n" }
                if path.contains("{id}") { parameters.insert("            - {name: id, in: path, required: true, schema: {type: string, format: uuid}}\n", at: 0) }
                if path.contains("{federationId}") {
                    parameters.insert("            - {name: federationId, in: path, required: true, schema: {type: string, format: uuid}}\n", at: 0)
                }
                if !parameters.isEmpty { yaml += "          parameters:\n" + parameters.joined() }
                if let request = op.request {
                    yaml += "          requestBody:\n            required: true\n            content:\n              \(op.requestType): {schema: {$ref: '#/components/schemas/\(request)'}}\n"
                }
                yaml += "          responses:\n            '\(op.status)':\n              description: OK.\n"
                if let response = op.response { yaml += "              content:\n                application/json: {schema: {$ref: '#/components/schemas/\(response)'}}\n" }
                for code in op.errors { yaml += "            '\(code)': {$ref: '#/components/responses/Problem'}\n" }
            }
        }
        return yaml.split(separator: "\n", omittingEmptySubsequences: false).map { $0.dropFirst(4) }.joined(separator: "\n")
    }

    static let schemas = """
            CSV: {type: string, description: "CSV text; the first line is the header."}
            Amount: {type: object, required: [key, nanoDollars, usd], properties: {key: {type: string}, nanoDollars: {type: integer, format: int64}, usd: {type: string}}}
            RegionRef: {type: object, required: [provider, region], properties: {provider: {type: string, enum: [aws, gcp, azure, openstack]}, region: {type: string}}}
            CatalogueVersion: {type: object, required: [number, fingerprint, offerCount], properties: {number: {type: integer}, fingerprint: {type: string}, offerCount: {type: integer}}}
            Price: {type: object, required: [provider, region, instanceType, vcpus, memoryGB, hourlyUSD, hourlyNanoDollars, effectiveDate, source], properties: {provider: {type: string}, region: {type: string}, instanceType: {type: string}, vcpus: {type: integer}, memoryGB: {type: number}, gpuModel: {type: string}, gpuCount: {type: integer}, hourlyUSD: {type: string}, hourlyNanoDollars: {type: integer, format: int64}, effectiveDate: {type: string, format: date}, source: {type: string}, continent: {type: string}, countryCode: {type: string}}}
            PriceList: {type: object, required: [version, total, prices], properties: {version: {$ref: '#/components/schemas/CatalogueVersion'}, total: {type: integer}, prices: {type: array, items: {$ref: '#/components/schemas/Price'}}}}
            EgressPrice: {type: object, required: [provider, sameRegionPerGBUSD, interRegionPerGBUSD, internetPerGBUSD, source], properties: {provider: {type: string}, region: {type: string}, sameRegionPerGBUSD: {type: number}, interRegionPerGBUSD: {type: number}, internetPerGBUSD: {type: number}, source: {type: string}}}
            EgressPriceList: {type: object, required: [egress], properties: {egress: {type: array, items: {$ref: '#/components/schemas/EgressPrice'}}}}
            Latency: {type: object, required: [a, b, rttMilliseconds, measurements, source], properties: {a: {$ref: '#/components/schemas/RegionRef'}, b: {$ref: '#/components/schemas/RegionRef'}, rttMilliseconds: {type: number}, measurements: {type: integer}, source: {type: string}}}
            LatencyList: {type: object, required: [total, latencies], properties: {total: {type: integer}, latencies: {type: array, items: {$ref: '#/components/schemas/Latency'}}}}
            CatalogueDocument: {type: object, required: [version, prices, egress, latencies], properties: {version: {$ref: '#/components/schemas/CatalogueVersion'}, prices: {type: array, items: {$ref: '#/components/schemas/Price'}}, egress: {type: array, items: {$ref: '#/components/schemas/EgressPrice'}}, latencies: {type: array, items: {$ref: '#/components/schemas/Latency'}}}}
            ImportReport: {type: object, required: [kind, source, dryRun, acceptedRows, ignoredRows, issues, added, changed, removed, changedAnything, version], properties: {kind: {type: string, enum: [prices, latencies]}, source: {type: string}, dryRun: {type: boolean}, acceptedRows: {type: integer}, ignoredRows: {type: integer}, issues: {type: array, items: {type: object, required: [line, reason], properties: {line: {type: integer}, reason: {type: string}}}}, added: {type: integer}, changed: {type: integer}, removed: {type: integer}, changedAnything: {type: boolean}, version: {$ref: '#/components/schemas/CatalogueVersion'}}}
            PriceRefreshRequest: {type: object, required: [provider], properties: {provider: {type: string, enum: [azure, aws, gcp]}, regions: {type: array, maxItems: 50, items: {type: string}}, dryRun: {type: boolean}}}
            CostRow: {type: object, required: [day, provider, region, component, nanoDollars, usd], properties: {day: {type: string, format: date}, provider: {type: string}, region: {type: string}, component: {type: string, enum: [aggregator, participants, dataTransfer]}, nanoDollars: {type: integer, format: int64}, usd: {type: string}}}
            CostReport: {type: object, required: [federationId, from, to, total, byDay, byProvider, byRegion, byComponent, rows, unpriced], properties: {federationId: {type: string, format: uuid}, from: {type: string, format: date}, to: {type: string, format: date}, total: {$ref: '#/components/schemas/Amount'}, byDay: {type: array, items: {$ref: '#/components/schemas/Amount'}}, byProvider: {type: array, items: {$ref: '#/components/schemas/Amount'}}, byRegion: {type: array, items: {$ref: '#/components/schemas/Amount'}}, byComponent: {type: array, items: {$ref: '#/components/schemas/Amount'}}, rows: {type: array, items: {$ref: '#/components/schemas/CostRow'}}, unpriced: {type: object, additionalProperties: {type: integer}}}}
            LineItem: {type: object, required: [eventId, index, kind, component, provider, region, day, quantity, unit, rateNanoDollars, nanoDollars, usd, catalogueVersion], properties: {eventId: {type: string}, index: {type: integer}, kind: {type: string}, organisationId: {type: string}, component: {type: string}, provider: {type: string}, region: {type: string}, day: {type: string, format: date}, quantity: {type: integer, format: int64}, unit: {type: string, enum: [hour, gigabyte]}, rateNanoDollars: {type: integer, format: int64}, nanoDollars: {type: integer, format: int64}, usd: {type: string}, instanceType: {type: string}, substitution: {type: string}, catalogueVersion: {type: integer}}}
            LineItemList: {type: object, required: [lineItems, unpriced], properties: {lineItems: {type: array, items: {$ref: '#/components/schemas/LineItem'}}, unpriced: {type: array, items: {type: object, required: [eventId, kind, code, reason], properties: {eventId: {type: string}, kind: {type: string}, code: {type: string}, reason: {type: string}}}}}}
            AWSBillingSyncRequest: {type: object, required: [credentialId, start, end], properties: {credentialId: {type: string, format: uuid, description: "an aws credential kept by governance that the caller may read"}, start: {type: string, format: date}, end: {type: string, format: date, description: exclusive}}}
            BillingReport: {type: object, required: [federationId, tagKey, days, total], properties: {federationId: {type: string, format: uuid}, tagKey: {type: string}, days: {type: array, items: {type: object, required: [day, provider, nanoDollars, usd, estimated, source], properties: {day: {type: string, format: date}, provider: {type: string}, nanoDollars: {type: integer, format: int64}, usd: {type: string}, estimated: {type: boolean}, source: {type: string}}}}, total: {$ref: '#/components/schemas/Amount'}}}
            NewBudget: {type: object, required: [federationId, limitUSD], properties: {federationId: {type: string, format: uuid}, limitUSD: {type: string, description: "decimal dollars, > 0, at most 9 decimals"}, thresholdPercents: {type: array, minItems: 1, maxItems: 10, items: {type: integer, minimum: 1, maximum: 1000}}, period: {type: string, enum: [daily, weekly, monthly]}}}
            BudgetChange: {type: object, properties: {limitUSD: {type: string}, thresholdPercents: {type: array, minItems: 1, maxItems: 10, items: {type: integer, minimum: 1, maximum: 1000}}}}
            Budget: {type: object, required: [id, federationId, limitNanoDollars, limitUSD, thresholdPercents, period, windowStart, windowEnd, spentNanoDollars, spentUSD, spentRatio, firings, createdAt], properties: {id: {type: string, format: uuid}, federationId: {type: string, format: uuid}, limitNanoDollars: {type: integer, format: int64}, limitUSD: {type: string}, thresholdPercents: {type: array, items: {type: integer}}, period: {type: string}, windowStart: {type: string, format: date}, windowEnd: {type: string, format: date}, spentNanoDollars: {type: integer, format: int64}, spentUSD: {type: string}, spentRatio: {type: number}, createdAt: {type: string, format: date-time}, firings: {type: array, items: {type: object, required: [id, windowStart, windowEnd, thresholdPercent, spentNanoDollars, firedAt], properties: {id: {type: string, format: uuid}, windowStart: {type: string, format: date}, windowEnd: {type: string, format: date}, thresholdPercent: {type: integer}, spentNanoDollars: {type: integer, format: int64}, triggeringEventId: {type: string}, firedAt: {type: string, format: date-time}}}}}}
            BudgetList: {type: object, required: [budgets], properties: {budgets: {type: array, items: {$ref: '#/components/schemas/Budget'}}}}
            EstimateRequest: {type: object, required: [vcpus, memoryGB, hours, participants, rounds, modelBytes], properties: {vcpus: {type: integer, minimum: 0, maximum: 1024}, memoryGB: {type: number, minimum: 0, maximum: 32768}, gpuCount: {type: integer, minimum: 0, maximum: 16}, gpuModel: {type: string}, hours: {type: number, minimum: 0, maximum: 87600}, participants: {type: array, maxItems: 1000, items: {$ref: '#/components/schemas/RegionRef'}}, rounds: {type: integer, minimum: 0, maximum: 1000000}, modelBytes: {type: integer, minimum: 0}, updateBytes: {type: integer, minimum: 0}, allowedProviders: {type: array, items: {type: string}}, allowedRegions: {type: array, items: {$ref: '#/components/schemas/RegionRef'}}, residency: {type: array, items: {type: string}}}}
            EstimateOption: {type: object, required: [provider, region, instanceType, vcpus, memoryGB, hourlyUSD, instanceNanoDollars, aggregatorEgressNanoDollars, participantEgressNanoDollars, totalNanoDollars, totalUSD, allowed], properties: {provider: {type: string}, region: {type: string}, instanceType: {type: string}, vcpus: {type: integer}, memoryGB: {type: number}, hourlyUSD: {type: string}, instanceNanoDollars: {type: integer, format: int64}, aggregatorEgressNanoDollars: {type: integer, format: int64}, participantEgressNanoDollars: {type: integer, format: int64}, totalNanoDollars: {type: integer, format: int64}, totalUSD: {type: string}, roundTimeSeconds: {type: number}, allowed: {type: boolean}, excludedBy: {type: string}}}
            Estimate: {type: object, required: [catalogueVersion, options, reason, regionsWithoutOffer], properties: {catalogueVersion: {type: integer}, options: {type: array, items: {$ref: '#/components/schemas/EstimateOption'}}, recommended: {$ref: '#/components/schemas/EstimateOption'}, reason: {type: string}, regionsWithoutOffer: {type: array, items: {$ref: '#/components/schemas/RegionRef'}}}}
        """
}
