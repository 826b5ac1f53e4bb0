import ArgusFuzzTargets
import Foundation

/// `argus-fuzz TARGET PATH...` runs every file under the paths through one fuzz target
/// and stops at the first input that breaks it (the corpus replay of the ordinary build).
///
/// Built by `scripts/fuzz.sh` (ARGUS_FUZZ=1: libFuzzer and AddressSanitizer), the same
/// binary is a libFuzzer program: `main` hands the command line to libFuzzer's driver,
/// which calls `fuzzOneInput` with the target named by `ARGUS_FUZZ_TARGET`.
@main
struct FuzzMain {
    static func main() {
        #if ARGUS_FUZZ
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
        #else
            replay()
        #endif
    }

    static func replay() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count > 1 else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            print("usage: argus-fuzz \(names) FILE_OR_FOLDER...")
            exit(2)
        }
        var count = 0
        for path in arguments.dropFirst() {
            for file in files(under: path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    print("argus-fuzz: cannot read \(file)")
                    exit(2)
                }
                do {
                    try target.run(Array(data))
                } catch {
                    print("argus-fuzz: \(target.rawValue): \(file): \(error)")
                    exit(1)
                }
                count += 1
            }
        }
        print("argus-fuzz: \(target.rawValue): \(count) inputs, no failure")
    }

    static func files(under path: String) -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return [path] }
        let names = (try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []
        return names.sorted().map { path + "/" + $0 }.filter { file in
            var folder: ObjCBool = false
            return FileManager.default.fileExists(atPath: file, isDirectory: &folder) && !folder.boolValue
        }
    }
}

#if ARGUS_FUZZ
    /// The target for this run, read once from `ARGUS_FUZZ_TARGET`.
    private let fuzzTarget: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["ARGUS_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            fatalError("set ARGUS_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue))")
        }
        return target
    }()

    /// libFuzzer's entry for programs with their own `main` (compiler-rt's FuzzerInterface.h).
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        do {
            try fuzzTarget.run(bytes)
        } catch {
            // A broken invariant is a finding: crash so that libFuzzer saves the input.
            fatalError("\(fuzzTarget.rawValue): \(error)")
        }
        return 0
    }
#endif
