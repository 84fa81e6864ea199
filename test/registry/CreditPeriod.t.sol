// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import "../BaseTest.sol";
import {CreditPeriod} from "../../src/interfaces/ICreditOracle.sol";
import {Model} from "../../src/interfaces/IAttestationRegistry.sol";

/// @notice `creditPeriodOf`: when a wallet's latest attestation counts, dated by the registry (expiry, superseded
/// commitment, retired model), and when the attestation before it stopped counting.
contract CreditPeriodTest is BaseTest {
    address internal WALLET = makeAddr("wallet");

    function _period() internal view returns (CreditPeriod memory) {
        return registry.creditPeriodOf(WALLET);
    }

    function testNeverAttested() public view {
        CreditPeriod memory c = _period();
        assertEq(c.roundId, 0);
        assertFalse(c.counts);
        assertEq(c.endsAt, 0);
        assertEq(c.previousEndedAt, 0);
    }

    function testCountingUntilExpiry() public {
        _attest(WALLET, 1);
        uint64 postedAt = uint64(block.timestamp);
        CreditPeriod memory c = _period();
        assertEq(c.roundId, 1);
        assertEq(c.tier, 1);
        assertTrue(c.counts);
        assertEq(c.issuedAt, postedAt);
        assertEq(c.endsAt, postedAt + LIFETIME);
        assertEq(c.previousEndedAt, 0);

        vm.warp(postedAt + LIFETIME - 1);
        assertTrue(_period().counts);
        vm.warp(postedAt + LIFETIME);
        c = _period();
        assertFalse(c.counts);
        assertEq(c.endsAt, postedAt + LIFETIME);
        (,, bool verified) = registry.tierOf(WALLET);
        assertEq(c.counts, verified);
    }

    function testEndsWhenSuperseded() public {
        _attest(WALLET, 0);
        skip(5 days);
        _postCommitment(WALLET, _commitmentFor(WALLET, 99));
        uint64 supersededAt = uint64(block.timestamp);
        skip(1 days);
        _postCommitment(WALLET, _commitmentFor(WALLET, 100)); // a second post changes nothing: it ended at the first
        CreditPeriod memory c = _period();
        assertFalse(c.counts);
        assertEq(c.endsAt, supersededAt);
    }

    function testEndsWhenModelRetired() public {
        _attest(WALLET, 0);
        skip(2 days);
        vm.prank(GOVERNANCE);
        registry.retireModel(MODEL_ID);
        Model memory m = registry.model(MODEL_ID);
        assertEq(m.retiredAt, block.timestamp);
        CreditPeriod memory c = _period();
        assertFalse(c.counts);
        assertEq(c.endsAt, block.timestamp);
    }

    function testEarliestEndWins() public {
        _attest(WALLET, 0);
        uint64 expiry = uint64(block.timestamp) + LIFETIME;
        skip(LIFETIME + 1 days);
        vm.prank(GOVERNANCE);
        registry.retireModel(MODEL_ID); // after the expiry: the expiry is the end
        assertEq(_period().endsAt, expiry);
    }

    function testPreviousEndedAtIsTheReplacedAttestationsEnd() public {
        _attest(WALLET, 0);
        uint64 firstExpiry = uint64(block.timestamp) + LIFETIME;
        skip(LIFETIME + 3 days); // the first attestation expired 3 days ago
        _attest(WALLET, 2);
        CreditPeriod memory c = _period();
        assertEq(c.roundId, 2);
        assertEq(c.tier, 2);
        assertTrue(c.counts);
        assertEq(c.previousEndedAt, firstExpiry);
    }

    function testPreviousEndedAtIsNowWhenReplacedWhileCounting() public {
        _attest(WALLET, 0);
        skip(1 days);
        _attest(WALLET, 1); // supersedes and re-attests in the same block
        assertEq(_period().previousEndedAt, block.timestamp);
    }

    function testCommitmentHolderOf() public {
        uint256 c = _commitmentFor(WALLET, 1);
        assertEq(registry.commitmentHolderOf(c), address(0));
        _postCommitment(WALLET, c);
        assertEq(registry.commitmentHolderOf(c), WALLET);
    }
}
