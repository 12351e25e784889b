import AIOpsCore
import Foundation

/// A shipped fixture: a folder holding a data file, a `README.md` and an `expect.json`.
public struct FixtureCase: Sendable {
    /// The folder's name (`nodejs-memory-leak`).
    public var name: String
    public var directory: String
    public var expectation: FixtureExpectation

    /// The data file's full path.
    public var dataPath: String { directory + "/" + expectation.file }

    /// Loads `directory/expect.json`.
    /// - Throws: `FixtureError` naming the file when it is unreadable or does not decode.
    public static func load(directory: String) throws(FixtureError) -> FixtureCase {
        let path = directory + "/expect.json"
        let bytes = try FixtureReader.readFile(path)
        let expectation: FixtureExpectation
        do {
            expectation = try JSONDecoder().decode(FixtureExpectation.self, from: Data(bytes))
        } catch {
            throw FixtureError(file: path, line: nil, code: .syntax, reason: "invalid expect.json: \(describe(error))")
        }
        if let metric = expectation.metric {
            do { _ = try SeriesIdentity.parse(metric) } catch {
                throw FixtureError(file: path, line: nil, code: .syntax, reason: "invalid \"metric\": \(error)")
            }
        }
        let name = FixtureReader.baseName(directory.hasSuffix("/") ? String(directory.dropLast()) : directory)
        return FixtureCase(name: name, directory: directory, expectation: expectation)
    }

    /// Every subfolder of `root` that holds an `expect.json`, sorted by name.
    public static func all(in root: String) throws(FixtureError) -> [FixtureCase] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
        } catch {
            throw FixtureError(file: root, line: nil, code: .unreadable, reason: "cannot list: \(error.localizedDescription)")
        }
        var cases: [FixtureCase] = []
        for name in names where FileManager.default.fileExists(atPath: root + "/" + name + "/expect.json") {
            cases.append(try load(directory: root + "/" + name))
        }
        return cases
    }

    /// Reads the data file with the expectation's `metric` as the CSV identity.
    public func read() throws(FixtureError) -> [FixtureSeries] {
        let metric = try? expectation.metricLabels()   // validated in `load`
        return try FixtureReader.read(path: dataPath, metric: metric ?? nil, format: expectation.format)
    }

    private static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return String(describing: error) }
        switch decoding {
        case .dataCorrupted(let context), .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            var text = context.debugDescription
            if case .keyNotFound(let key, _) = decoding { text = "missing key \"\(key.stringValue)\"" }
            return path.isEmpty ? text : "\(path): \(text)"
        @unknown default:
            return String(describing: error)
        }
    }
}
