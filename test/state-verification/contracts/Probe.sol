// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// A contract that is created, written and destroyed by the state-verification tests.
contract Child {
    uint256 public x;

    constructor() payable {
        x = 1;
    }

    function set(uint256 v) external {
        x = v;
    }

    function kill(address payable to) external {
        selfdestruct(to);
    }
}

/// Exercises every kind of state access the tracer must see.
contract Probe {
    mapping(uint256 => uint256) public slots;
    uint256 public last;
    address public lastChild;

    receive() external payable {}

    function store(uint256 k, uint256 v) external {
        slots[k] = v;
    }

    function load(uint256 k) external returns (uint256) {
        last = slots[k];
        return last;
    }

    /// Writes then reverts in a sub-call: the write must not count, the read must.
    function storeAndRevert(uint256 k, uint256 v) external {
        slots[k] = v;
        revert("no");
    }

    function revertingStore(uint256 k, uint256 v) external {
        try this.storeAndRevert(k, v) {} catch {}
        last = slots[k + 1];
    }

    function readCoinbase() external {
        last = block.coinbase.balance;
    }

    function readBalance(address a) external {
        last = a.balance;
    }

    function readCodeHash(address a) external {
        last = uint256(a.codehash);
    }

    function readCodeSize(address a) external {
        last = a.code.length;
    }

    function hash(bytes calldata data) external {
        last = uint256(sha256(data));
    }

    function recover(bytes32 h, uint8 v, bytes32 r, bytes32 s) external {
        last = uint160(ecrecover(h, v, r, s));
    }

    function identity(bytes calldata data) external {
        (bool ok, bytes memory out) = address(4).staticcall(data);
        require(ok);
        last = out.length;
    }

    function sendValue(address payable to) external payable {
        (bool ok, ) = to.call{value: msg.value}("");
        last = ok ? 1 : 2;
    }

    function payCoinbase() external payable {
        (bool ok, ) = block.coinbase.call{value: msg.value}("");
        require(ok);
    }

    function create() external payable {
        lastChild = address(new Child{value: msg.value}());
    }

    function create2(bytes32 salt) external payable {
        lastChild = address(new Child{value: msg.value, salt: salt}());
    }

    /// CREATE2 then SELFDESTRUCT in the same transaction: the child is deleted (EIP-6780).
    function createAndKill(bytes32 salt, address payable to) external payable {
        Child c = new Child{value: msg.value, salt: salt}();
        c.set(7);
        c.kill(to);
    }

    /// SELFDESTRUCT of an older child: only its balance moves (EIP-6780).
    function killOld(address child, address payable to) external {
        Child(child).kill(to);
    }

    function setChild(address child, uint256 v) external {
        Child(child).set(v);
    }

    function spin(uint256 n) external {
        uint256 acc = last;
        for (uint256 i = 0; i < n; i++) {
            acc = uint256(keccak256(abi.encode(acc, i)));
            slots[i % 8] = acc;
        }
        last = acc;
    }
}
