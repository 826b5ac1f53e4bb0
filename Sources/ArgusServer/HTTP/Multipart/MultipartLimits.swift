/// What one multipart body may hold; enforced while it is read, so an oversized body
/// costs no more than the bytes read up to the limit.
public struct MultipartLimits: Sendable, Equatable {
    /// The whole body, framing included.
    public var maxBodyBytes: Int
    /// Parts, files and fields together.
    public var maxParts: Int
    /// One part's header block (every header line and its line endings).
    public var maxHeaderBytes: Int
    /// A form field's name, in UTF-8 bytes.
    public var maxNameBytes: Int

    public init(maxBodyBytes: Int, maxParts: Int = 32, maxHeaderBytes: Int = 8 * 1024, maxNameBytes: Int = 128) {
        self.maxBodyBytes = maxBodyBytes
        self.maxParts = maxParts
        self.maxHeaderBytes = maxHeaderBytes
        self.maxNameBytes = maxNameBytes
    }
}
