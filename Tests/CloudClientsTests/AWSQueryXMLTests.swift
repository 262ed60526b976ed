import Testing

@testable import CloudClients

@Suite("AWS Query XML")
struct AWSQueryXMLTests {
    @Test("reads GetCallerIdentity results")
    func result() {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <GetCallerIdentityResult>
            <Arn>arn:aws:iam::123456789012:user/Al&amp;ice</Arn>
            <UserId>AIDAEXAMPLE</UserId>
            <Account>123456789012</Account>
          </GetCallerIdentityResult>
          <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
        </GetCallerIdentityResponse>
        """
        #expect(AWSQueryXML.text(of: "Arn", in: xml) == "arn:aws:iam::123456789012:user/Al&ice")
        #expect(AWSQueryXML.text(of: "Account", in: xml) == "123456789012")
        #expect(AWSQueryXML.text(of: "UserId", in: xml) == "AIDAEXAMPLE")
        #expect(AWSQueryXML.text(of: "Code", in: xml) == nil)
        // An element holding markup is not text.
        #expect(AWSQueryXML.text(of: "GetCallerIdentityResult", in: xml) == nil)
    }

    @Test("reads error documents, with prefixes, attributes and references")
    func errors() {
        let xml = """
        <ErrorResponse><aws:Error kind="x"><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>\
        <Message>It&apos;s &lt;wrong&gt; &#8212; &#x41;</Message><Empty/></aws:Error></ErrorResponse>
        """
        #expect(AWSQueryXML.text(of: "Code", in: xml) == "SignatureDoesNotMatch")
        #expect(AWSQueryXML.text(of: "Message", in: xml) == "It's <wrong> \u{2014} A")
        #expect(AWSQueryXML.text(of: "Empty", in: xml) == "")
        #expect(AWSQueryXML.text(of: "Missing", in: xml) == nil)
        #expect(AWSQueryXML.text(of: "Code", in: "<Code>unterminated") == nil)
        #expect(AWSQueryXML.decodeReferences("a &unknown; & b") == "a &unknown; & b")
    }
}
