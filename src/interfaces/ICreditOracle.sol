// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice When a wallet's latest attestation counts, and when the attestation before it stopped counting: what a
/// protocol needs to date a tier change without having watched it happen.
/// @param roundId The round of the latest attestation (0 if the wallet was never attested: then every field is zero).
/// @param tier Its proven tier, whether it still counts or not.
/// @param counts Whether it counts now (`tierOf`'s `verified`): exactly when `block.timestamp < endsAt`.
/// @param issuedAt When it was made (its round's time).
/// @param endsAt When it stops counting: the earliest of its expiry, the time its data commitment was superseded and
/// the time its model was retired. While it counts this is its expiry, in the future.
/// @param previousEndedAt When the wallet's attestation before it stopped counting: its own end, or `issuedAt` when it
/// still counted until this one replaced it; 0 when there was none.
struct CreditPeriod {
    uint64 roundId;
    uint8 tier;
    bool counts;
    uint64 issuedAt;
    uint64 endsAt;
    uint64 previousEndedAt;
}

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

    /// @notice The period of `wallet`'s latest attestation (see `CreditPeriod`).
    /// @dev A tier that lapsed, was superseded or retired stopped counting at `endsAt` even if nobody looked at the
    /// time: integrators that soften a downgrade (a ramp) should date it from `endsAt`, not from when they notice.
    function creditPeriodOf(address wallet) external view returns (CreditPeriod memory);
}
