// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

contract ToolchainTest is Test {
    function testFuzz_addCommutes(uint128 a, uint128 b) public pure {
        assertEq(uint256(a) + b, uint256(b) + a);
    }

    function test_openzeppelinResolves() public pure {
        assertEq(IERC20.transfer.selector, bytes4(keccak256("transfer(address,uint256)")));
    }
}
