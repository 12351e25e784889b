import AIOpsCore
import Dispatch
import Synchronization
import Testing

@Suite struct SettleWaitersTests {
    struct Owner: Sendable {
        var pending = 0
        var waiters = SettleWaiters()
    }

    @Test func aWaiterWakesWhenTheOwnerSettlesAndSignals() {
        let state = Mutex(Owner(pending: 1))
        let start = DispatchTime.now()
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) {
            state.withLock { owner in
                owner.pending = 0
                owner.waiters.signalAll()
            }
        }
        // A poll far longer than the test: only the signal can end the wait early.
        let settled = SettleWaiters.wait(on: state, waiters: \.waiters, timeout: 10, poll: 10) { $0.pending == 0 }
        #expect(settled)
        #expect(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds < 5_000_000_000)
        #expect(state.withLock { $0.waiters.count } == 0)
    }

    @Test func aWaiterSeesAChangeWithoutASignalByPolling() {
        let state = Mutex(Owner(pending: 1))
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) {
            state.withLock { $0.pending = 0 }   // no signal: a clock moved, say
        }
        #expect(SettleWaiters.wait(on: state, waiters: \.waiters, timeout: 10, poll: 0.02) { $0.pending == 0 })
    }

    @Test func theTimeRunsOutAndTheWaiterIsRemoved() {
        let state = Mutex(Owner(pending: 1))
        let nudges = Mutex(0)
        let settled = SettleWaiters.wait(on: state, waiters: \.waiters, timeout: 0.1, poll: 0.02, nudge: { nudges.withLock { $0 += 1 } }) { $0.pending == 0 }
        #expect(!settled)
        #expect(state.withLock { $0.waiters.count } == 0)
        #expect(nudges.withLock { $0 } >= 2)
        // Already settled: true at once, nothing registered, no nudge.
        state.withLock { $0.pending = 0 }
        #expect(SettleWaiters.wait(on: state, waiters: \.waiters, timeout: 0) { $0.pending == 0 })
    }
}
