// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICreditOracle
/// @notice The portable read interface of a zkrisk credit credential, for any protocol.
/// @dev Tiers have one protocol-wide meaning: 0 low risk, 1 medium risk, 2 high risk.
interface ICreditOracle {
    /// @notice The wallet's proven credit tier.
    /// @dev A wallet without an attestation, with an expired one, with one under a retired model, or with one made
    /// against a data commitment the attestor has since replaced, reads as unverified: `verified` is false, `tier` is
    /// `type(uint8).max` and `validUntil` is 0. Integrators must check `verified` and treat an unverified wallet as
    /// their most conservative tier.
    /// @return tier The attested tier (`type(uint8).max` when unverified).
    /// @return validUntil The timestamp at which the attestation expires (0 when unverified).
    /// @return verified Whether the wallet holds a valid attestation now.
    function tierOf(address wallet) external view returns (uint8 tier, uint64 validUntil, bool verified);

    /// @notice The wallet's proven claim that it was never liquidated on any indexed chain.
    /// @dev Valid under the same rule as `tierOf` (it comes from the same attestation); an unverified wallet reads
    /// false, 0, false. Integrators must check `verified`: `neverLiquidated` false does not mean "was liquidated"
    /// unless `verified` is true.
    /// @return neverLiquidated The attested claim (false when unverified).
    /// @return validUntil The timestamp at which the attestation expires (0 when unverified).
    /// @return verified Whether the wallet holds a valid attestation now.
    function neverLiquidatedOf(address wallet)
        external
        view
        returns (bool neverLiquidated, uint64 validUntil, bool verified);
}
