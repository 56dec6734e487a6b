// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Probe: small behaviours the serial-equivalence tests need in one contract.
/// @dev slot 0: counter (the "hot slot"), slot 1: lastCoinbaseBalance, slot 2: stored mapping,
/// slot 3: shadow (written only inside a frame that reverts).
contract Probe {
    uint256 public counter;
    uint256 public lastCoinbaseBalance;
    mapping(address => uint256) public stored;
    uint256 public shadow;

    event Bumped(address indexed by, uint256 value);
    event CoinbaseRead(address indexed coinbase, uint256 balance);

    error Failed(uint256 code);

    /// Read-modify-write of one slot: every call conflicts with every other.
    function bump() external {
        uint256 v = counter + 1;
        counter = v;
        emit Bumped(msg.sender, v);
    }

    /// Reads the fee recipient's balance, so it must see every earlier fee credit.
    function readCoinbase() external {
        uint256 b = block.coinbase.balance;
        lastCoinbaseBalance = b;
        emit CoinbaseRead(block.coinbase, b);
    }

    /// Always reverts (status 0, gas charged).
    function fail(uint256 code) external pure {
        revert Failed(code);
    }

    /// Writes a per-sender slot.
    function store(uint256 value) external {
        stored[msg.sender] = value;
    }

    /// Succeeds, but its inner call writes `shadow` and reverts: that write must not survive.
    function tryFail() external {
        stored[msg.sender] += 1;
        try this.writeThenFail() {} catch {}
    }

    function writeThenFail() external {
        shadow = shadow + 1;
        revert Failed(7);
    }
}

/// @title Destructible: SELFDESTRUCT of a contract that existed before the transaction
/// (after Cancun / EIP-6780 it only sends its balance away; code and storage stay).
contract Destructible {
    uint256 public touched;

    receive() external payable {}

    function destroy(address payable to) external {
        touched = touched + 1;
        selfdestruct(to);
    }
}

/// @title Ephemeral: created and destroyed in the same transaction (EIP-6780 deletes it),
/// forwarding the creation value to `to`.
contract Ephemeral {
    constructor(address payable to) payable {
        selfdestruct(to);
    }
}
