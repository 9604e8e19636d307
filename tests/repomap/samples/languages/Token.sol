// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;

import "./IERC20.sol";

/// @title Something with a balance.
interface IBalance {
    /// @notice Return the balance.
    function balanceOf(address who) external view returns (uint256);
}

/// @notice Math helpers.
library SafeMath {
    function add(uint256 a, uint256 b) internal pure returns (uint256) {
        return a + b;
    }
}

/**
 * @title A simple token.
 * @dev More text.
 */
contract Token is IBalance {
    /// The largest supply.
    uint256 public constant MAX_SUPPLY = 100;

    /// A holder.
    struct Holder { address who; uint256 amount; }

    /// Colors we know.
    enum Color { Red, Green }

    /// Emitted on transfer.
    event Transfer(address indexed from, address indexed to, uint256 value);

    mapping(address => uint256) private balances;

    /// Only the owner.
    modifier onlyOwner() { _; }

    /// Return the balance.
    function balanceOf(address who) external view override returns (uint256) {
        return balances[who];
    }

    /// Move tokens.
    function transfer(address to, uint256 value) public onlyOwner {
        balances[to] = SafeMath.add(balances[to], value);
        emit Transfer(msg.sender, to, value);
    }
}
