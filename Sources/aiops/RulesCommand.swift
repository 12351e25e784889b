import Rules

enum RulesCommand {
    static func run(_ arguments: [String]) -> Int32 {
        guard arguments.first == "check" else {
            if arguments.first == "--help" || arguments.first == "-h" {
                print(Help.rules)
                return 0
            }
            Console.error("usage: aiops rules check [DIR|FILE]")
            return 2
        }
        let rest = Array(arguments.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            print(Help.rules)
            return 0
        }
        guard rest.count <= 1 else {
            Console.error("usage: aiops rules check [DIR|FILE]")
            return 2
        }
        guard let path = rest.first ?? RulesLocator.defaultDirectory() else {
            Console.error("no rules directory given and ./rules does not exist")
            return 1
        }
        let (ruleSet, errors) = RuleSet.check(path: path)
        for error in errors { print("\(error)") }
        if errors.isEmpty, let ruleSet {
            print("\(path): \(ruleSet.rules.count) rules OK")
            return 0
        }
        print("\(errors.count) error\(errors.count == 1 ? "" : "s")")
        return 1
    }
}
