import Foundation

/// `mail.send`: renders a queued mail and hands it to the configured transport. Once
/// sent, the job's payload is cleared in the transaction that marks it done: a password
/// reset token must not outlive its mail in the jobs table.
struct MailJobHandler: JobHandler {
    let mailer: Mailer

    var kind: String { Mailer.kind }
    var softTimeout: Duration { .seconds(Int64(mailer.settings.smtp.timeoutSeconds) + 10) }
    var hardTimeout: Duration { .seconds(Int64(mailer.settings.smtp.timeoutSeconds) + 30) }

    func run(_ job: JobContext) async throws -> JobOutcome {
        let payload = try job.decodePayload(Mailer.Payload.self)
        do {
            try await mailer.transport.send(mailer.message(for: payload))
        } catch let error as MailDeliveryError where error.permanent {
            throw PermanentJobFailure(error.description)
        }
        let result = #"{"mail":"\#(payload.mail.rawValue)","transport":"\#(mailer.settings.transport.rawValue)"}"#
        return JobOutcome(result: result, clearsPayload: true)
    }
}
