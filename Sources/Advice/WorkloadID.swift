/// The object a user edits: a Deployment, StatefulSet, DaemonSet (or a bare ReplicaSet or
/// Job), never a pod.
public struct WorkloadID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// `Deployment`, `StatefulSet`, `DaemonSet`, `ReplicaSet`, `Job`.
    public var kind: String
    public var namespace: String
    public var name: String

    public init(kind: String, namespace: String, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// `Deployment shop/catalog`.
    public var description: String { "\(kind) \(namespace)/\(name)" }

    /// `Deployment/shop/catalog`: the key of JSON output and expectations.
    public var key: String { "\(kind)/\(namespace)/\(name)" }

    /// `deployment/catalog`, as kubectl names it.
    public var kubectlName: String { "\(kind.lowercased())/\(name)" }

    public static func < (lhs: WorkloadID, rhs: WorkloadID) -> Bool {
        (lhs.namespace, lhs.kind, lhs.name) < (rhs.namespace, rhs.kind, rhs.name)
    }
}

/// Pods to the workloads that own them, joined through `kube_pod_owner` and
/// `kube_replicaset_owner` (never by parsing pod names: a StatefulSet's `web-0` and a
/// Deployment's `web-7d9f8b6c5d-x2k4p` look alike to a regex, and names lie after renames).
public struct WorkloadRollup: Sendable {
    struct Key: Hashable { var namespace: String; var name: String }
    struct Owner { var kind: String; var name: String; var lastSeen: Int64; var controller: Bool }

    var podOwners: [Key: Owner] = [:]
    var replicaSetOwners: [Key: Owner] = [:]

    /// Reads the owner series among `items` (the latest, controller first, wins per pod).
    public init(_ items: [InventoryItem]) {
        for item in items where item.value > 0 {
            switch item.role {
            case .podOwner:
                let key = Key(namespace: item.labels["namespace"] ?? "", name: item.labels["pod"] ?? "")
                Self.record(&podOwners, key, item)
            case .replicaSetOwner:
                let key = Key(namespace: item.labels["namespace"] ?? "", name: item.labels["replicaset"] ?? "")
                Self.record(&replicaSetOwners, key, item)
            default:
                continue
            }
        }
    }

    private static func record(_ table: inout [Key: Owner], _ key: Key, _ item: InventoryItem) {
        let owner = Owner(kind: item.labels["owner_kind"] ?? "", name: item.labels["owner_name"] ?? "",
                          lastSeen: item.lastSeen, controller: item.labels["owner_is_controller"] != "false")
        if let current = table[key], (current.controller ? 1 : 0, current.lastSeen) >= (owner.controller ? 1 : 0, owner.lastSeen) { return }
        table[key] = owner
    }

    /// The workload of a pod, or nil when no owner series names one (a bare pod, or
    /// kube-state-metrics not scraped).
    public func workload(namespace: String, pod: String) -> WorkloadID? {
        guard let owner = podOwners[Key(namespace: namespace, name: pod)], !owner.name.isEmpty else { return nil }
        switch owner.kind {
        case "ReplicaSet":
            if let deployment = replicaSetOwners[Key(namespace: namespace, name: owner.name)], deployment.kind == "Deployment", !deployment.name.isEmpty {
                return WorkloadID(kind: "Deployment", namespace: namespace, name: deployment.name)
            }
            return WorkloadID(kind: "ReplicaSet", namespace: namespace, name: owner.name)
        case "StatefulSet", "DaemonSet", "Job":
            return WorkloadID(kind: owner.kind, namespace: namespace, name: owner.name)
        default:
            return nil  // `<none>` or an owner kind advice cannot edit
        }
    }
}
