// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Script, console2} from "forge-std/Script.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {AttestationRegistry} from "../src/AttestationRegistry.sol";
import {ZkRiskLending} from "../src/ZkRiskLending.sol";
import {ChainlinkOracleAdapter} from "../src/oracles/ChainlinkOracleAdapter.sol";
import {MockAggregator} from "../src/mocks/MockAggregator.sol";
import {MockERC20} from "../src/mocks/MockERC20.sol";
import {BatchLiquidator} from "../src/periphery/BatchLiquidator.sol";
import {TierParams, MarketConfig} from "../src/interfaces/IZkRiskLending.sol";
import {IAggregatorV3} from "../src/interfaces/IAggregatorV3.sol";
import {ConstantsLib, DEBT_BUCKET_COUNT} from "../src/libraries/ConstantsLib.sol";

/// @title Deploy
/// @notice Deploys zkrisk on one chain: the verifier of every circuit of the credit model (the single-wallet circuit
/// and the round circuits listed in the manifest), the attestation registry (with the credit model and its circuits
/// registered and the attestor granted), the Chainlink oracle adapter, the lending market and the batch liquidator
/// (periphery: stateless, no roles); on local chains (config `mocks: true`) also a mock USDC, a mock WETH and a mock
/// ETH/USD feed. Writes the addresses as JSON.
/// @dev Normally run by `npm run zkrisk -- deploy` (ts/runtime/deploy/deploy.ts), which finalises the JSON into
/// deployments/<chainId>.json. Environment:
/// - ZKRISK_DEPLOYER_KEY (required): the broadcaster's private key (never logged).
/// - ZKRISK_DEPLOY_CONFIG: the chain config (default script/config/local.json).
/// - ZKRISK_DEPLOY_OUT: where to write the result (default .cache/deploy/<chainId>.json).
/// - ZKRISK_MANIFEST: the credit circuit manifest (default circuits/credit/manifest.json). Its `circuits` array
///   (`{name, slots, verifierContract}`) lists the circuits to deploy and register; a manifest without it names one
///   single-wallet circuit in its top-level `verifierContract`. A single-wallet circuit (slots 1) is required.
/// The result JSON holds every address and role flat (`creditVerifier` is the single-wallet verifier) plus
/// `verifiers`: the verifier of each circuit keyed by its slot count, e.g. {"1": "0x...", "96": "0x..."}.
/// - ZKRISK_OWNER, ZKRISK_ATTESTOR, ZKRISK_KEEPER: role addresses used when the config's `roles.*` is empty.
/// Roles: the broadcaster deploys as admin, configures, then hands every role to the configured holders and renounces
/// its own (unless it is that holder).
contract Deploy is Script {
    /* ERRORS */

    /// @notice A required config field is empty: fill it in the config file (or set the named environment variable).
    error MissingConfig(string field);
    /// @notice A config field holds a value the script cannot use.
    error InvalidConfig(string field, string reason);
    /// @notice An external contract named by the config has no code on this chain.
    error NoCode(string field, address account);
    /// @notice An external token or feed reports other decimals than the config expects.
    error DecimalsMismatch(string field, uint8 expected, uint8 actual);
    /// @notice The circuit manifest holds a value the script cannot use.
    error InvalidManifest(string field, string reason);

    /* TYPES */

    /// @notice Role holders after the deployment.
    struct Roles {
        address owner;
        address attestor;
        address keeper;
        address riskManager;
        address pauser;
    }

    /// @notice One circuit of the credit model, from the circuit manifest; `verifier` once deployed.
    struct Circuit {
        uint16 slots;
        string verifierContract;
        address verifier;
    }

    /// @notice The credit model and its circuits, from the circuit manifest.
    struct CreditModel {
        bytes32 modelId;
        uint8 tierCount;
        uint8 outputScale;
        Circuit[] circuits;
    }

    /// @notice Everything the script deployed or wired (the verifier of every circuit: CreditModel.circuits).
    struct Deployment {
        address loanToken;
        address collateralToken;
        address priceFeed;
        /// @dev The single-wallet circuit's verifier.
        address creditVerifier;
        address registry;
        address oracle;
        address lending;
        address batchLiquidator;
    }

    uint256 internal constant BPS_TO_WAD = 1e14;
    string internal constant ENV_OWNER = "ZKRISK_OWNER";
    string internal constant ENV_ATTESTOR = "ZKRISK_ATTESTOR";
    string internal constant ENV_KEEPER = "ZKRISK_KEEPER";

    string internal config;
    address internal broadcaster;

    /* ENTRY POINT */

    /// @notice Deploys and configures the protocol, then writes the result JSON.
    function run() external returns (Deployment memory d) {
        string memory configPath = vm.envOr("ZKRISK_DEPLOY_CONFIG", string("script/config/local.json"));
        string memory manifestPath = vm.envOr("ZKRISK_MANIFEST", string("circuits/credit/manifest.json"));
        string memory outPath =
            vm.envOr("ZKRISK_DEPLOY_OUT", string.concat(".cache/deploy/", vm.toString(block.chainid), ".json"));
        config = vm.readFile(configPath);
        CreditModel memory model = _readModel(vm.readFile(manifestPath));
        bool mocks = vm.parseJsonBool(config, ".mocks");

        uint256 key = vm.envUint("ZKRISK_DEPLOYER_KEY");
        broadcaster = vm.addr(key);
        Roles memory roles = _readRoles(mocks);
        uint256 startBlock = block.number;

        vm.startBroadcast(key);
        if (mocks) {
            d.loanToken = _deployMockToken(".loanToken");
            d.collateralToken = _deployMockToken(".collateralToken");
            d.priceFeed = address(
                new MockAggregator(
                    roles.owner,
                    uint8(_uint(".priceFeed.decimals", type(uint8).max)),
                    int256(_uint(".priceFeed.initialAnswer", uint256(type(int256).max)))
                )
            );
        } else {
            // Every empty field is reported before any code is looked at.
            d.loanToken = _configured(".loanToken.address");
            d.collateralToken = _configured(".collateralToken.address");
            d.priceFeed = _configured(".priceFeed.address");
            _requireCode(".loanToken.address", d.loanToken);
            _requireCode(".collateralToken.address", d.collateralToken);
            _requireCode(".priceFeed.address", d.priceFeed);
            _checkDecimals(".loanToken.decimals", IERC20Metadata(d.loanToken).decimals());
            _checkDecimals(".collateralToken.decimals", IERC20Metadata(d.collateralToken).decimals());
            _checkDecimals(".priceFeed.decimals", IAggregatorV3(d.priceFeed).decimals());
        }

        d.creditVerifier = _deployVerifiers(model);
        d.registry = _deployRegistry(model, roles);
        d.oracle = address(
            new ChainlinkOracleAdapter(
                IAggregatorV3(d.priceFeed),
                _uint(".priceFeed.heartbeat", type(uint256).max),
                d.collateralToken,
                d.loanToken
            )
        );
        d.lending = _deployLending(d, roles);
        d.batchLiquidator = address(new BatchLiquidator());
        vm.stopBroadcast();

        _write(outPath, d, model, roles, mocks, startBlock);
    }

    /* DEPLOYMENT STEPS */

    /// @dev A mock ERC20 from the config object at `path` (name, symbol, decimals).
    function _deployMockToken(string memory path) internal returns (address) {
        string memory addressField = string.concat(path, ".address");
        if (bytes(_string(addressField)).length != 0) {
            revert InvalidConfig(addressField, "must be empty when mocks is true");
        }
        return address(
            new MockERC20(
                _string(string.concat(path, ".name")),
                _string(string.concat(path, ".symbol")),
                uint8(_uint(string.concat(path, ".decimals"), type(uint8).max))
            )
        );
    }

    /// @dev The verifier of every circuit of the model (recorded in `model.circuits`); returns the single-wallet one.
    function _deployVerifiers(CreditModel memory model) internal returns (address single) {
        for (uint256 i; i < model.circuits.length; ++i) {
            Circuit memory c = model.circuits[i];
            c.verifier = deployCode(string.concat(c.verifierContract, ".sol:", c.verifierContract));
            if (c.slots == ConstantsLib.SINGLE_WALLET_SLOTS) single = c.verifier;
        }
    }

    /// @dev The registry with the credit model and its circuits registered and the attestor granted, handed over to
    /// the owner.
    function _deployRegistry(CreditModel memory model, Roles memory roles) internal returns (address) {
        AttestationRegistry registry = new AttestationRegistry(broadcaster);
        registry.registerModel(
            model.modelId, model.tierCount, model.outputScale, uint64(_uint(".attestationLifetime", type(uint64).max))
        );
        for (uint256 i; i < model.circuits.length; ++i) {
            registry.registerCircuit(model.modelId, model.circuits[i].slots, model.circuits[i].verifier);
        }
        registry.grantRole(registry.ATTESTOR_ROLE(), roles.attestor);
        _handOver(registry, registry.GOVERNOR_ROLE(), roles.owner);
        _handOver(registry, registry.DEFAULT_ADMIN_ROLE(), roles.owner);
        return address(registry);
    }

    /// @dev The lending market with the configured rate model and tier parameters, handed over to the role holders.
    function _deployLending(Deployment memory d, Roles memory roles) internal returns (address) {
        MarketConfig memory market = MarketConfig({
            loanToken: d.loanToken,
            collateralToken: d.collateralToken,
            oracle: d.oracle,
            creditOracle: d.registry,
            kinkUtilization: _bps(".market.kinkUtilizationBps"),
            jumpApr: _bps(".market.jumpAprBps")
        });
        TierParams[DEBT_BUCKET_COUNT] memory params;
        params[ConstantsLib.BUCKET_LOW] = _tier(".tiers.low");
        params[ConstantsLib.BUCKET_MEDIUM] = _tier(".tiers.medium");
        params[ConstantsLib.BUCKET_HIGH] = _tier(".tiers.high");
        params[ConstantsLib.BUCKET_UNVERIFIED] = _tier(".tiers.unverified");

        ZkRiskLending lending = new ZkRiskLending(market, params, broadcaster);
        _handOver(lending, lending.RISK_MANAGER_ROLE(), roles.riskManager);
        _handOver(lending, lending.PAUSER_ROLE(), roles.pauser);
        _handOver(lending, lending.DEFAULT_ADMIN_ROLE(), roles.owner);
        return address(lending);
    }

    /// @dev Gives `role` to `holder` and renounces the broadcaster's, unless the broadcaster is the holder.
    function _handOver(IAccessControl target, bytes32 role, address holder) internal {
        if (holder == broadcaster) return;
        target.grantRole(role, holder);
        target.renounceRole(role, broadcaster);
    }

    /* READING THE CONFIG AND THE MANIFEST */

    /// @dev The model and its circuits: the manifest's `circuits`, else its top-level `verifierContract` as the
    /// single-wallet circuit. Slot counts must be distinct, in [1, MAX_ROUND_SLOTS], and include 1.
    function _readModel(string memory manifest) internal view returns (CreditModel memory model) {
        model.modelId = vm.parseJsonBytes32(manifest, ".modelId");
        model.tierCount = uint8(vm.parseJsonUint(manifest, ".tierCount"));
        model.outputScale = uint8(vm.parseJsonUint(manifest, ".outputScale"));

        if (!vm.keyExistsJson(manifest, ".circuits")) {
            model.circuits = new Circuit[](1);
            model.circuits[0] = Circuit({
                slots: ConstantsLib.SINGLE_WALLET_SLOTS,
                verifierContract: vm.parseJsonString(manifest, ".verifierContract"),
                verifier: address(0)
            });
            return model;
        }
        uint256 count;
        while (vm.keyExistsJson(manifest, string.concat(".circuits[", vm.toString(count), "]"))) ++count;
        model.circuits = new Circuit[](count);
        bool single;
        for (uint256 i; i < count; ++i) {
            string memory path = string.concat(".circuits[", vm.toString(i), "]");
            uint256 slots = vm.parseJsonUint(manifest, string.concat(path, ".slots"));
            if (slots == 0 || slots > ConstantsLib.MAX_ROUND_SLOTS) {
                revert InvalidManifest(
                    string.concat(path, ".slots"),
                    string.concat("not in [1, ", vm.toString(ConstantsLib.MAX_ROUND_SLOTS), "]")
                );
            }
            for (uint256 j; j < i; ++j) {
                if (model.circuits[j].slots == slots) {
                    revert InvalidManifest(string.concat(path, ".slots"), "duplicate");
                }
            }
            if (slots == ConstantsLib.SINGLE_WALLET_SLOTS) single = true;
            model.circuits[i] = Circuit({
                // Casting to uint16 is safe: slots <= MAX_ROUND_SLOTS.
                // forge-lint: disable-next-line(unsafe-typecast)
                slots: uint16(slots),
                verifierContract: vm.parseJsonString(manifest, string.concat(path, ".verifierContract")),
                verifier: address(0)
            });
        }
        if (!single) revert InvalidManifest(".circuits", "no single-wallet circuit (slots 1)");
    }

    /// @dev Role holders: the config's `roles.*`, else the environment, else the broadcaster. The attestor has no
    /// fallback on real networks (mocks false): a deployer key is no attestor.
    function _readRoles(bool mocks) internal view returns (Roles memory roles) {
        roles.owner = _role(".roles.owner", ENV_OWNER, broadcaster);
        roles.attestor = _role(".roles.attestor", ENV_ATTESTOR, mocks ? broadcaster : address(0));
        if (roles.attestor == address(0)) {
            revert MissingConfig(string.concat(".roles.attestor (or env ", ENV_ATTESTOR, ")"));
        }
        roles.keeper = _role(".roles.keeper", ENV_KEEPER, address(0));
        roles.riskManager = _role(".roles.riskManager", "", roles.owner);
        roles.pauser = _role(".roles.pauser", "", roles.owner);
    }

    function _role(string memory field, string memory env, address fallback_) internal view returns (address) {
        string memory configured = _string(field);
        if (bytes(configured).length != 0) return vm.parseAddress(configured);
        if (bytes(env).length != 0) return vm.envOr(env, fallback_);
        return fallback_;
    }

    /// @dev The address at `field`, which must be set.
    function _configured(string memory field) internal view returns (address) {
        string memory raw = _string(field);
        if (bytes(raw).length == 0) revert MissingConfig(field);
        return vm.parseAddress(raw);
    }

    /// @dev `account` (from `field`) must hold code on this chain.
    function _requireCode(string memory field, address account) internal view {
        if (account.code.length == 0) revert NoCode(field, account);
    }

    function _checkDecimals(string memory field, uint8 actual) internal view {
        uint8 expected = uint8(_uint(field, type(uint8).max));
        if (actual != expected) revert DecimalsMismatch(field, expected, actual);
    }

    function _tier(string memory path) internal view returns (TierParams memory) {
        return TierParams({
            apr: _bps(string.concat(path, ".aprBps")),
            maxLtv: _bps(string.concat(path, ".maxLtvBps")),
            lltv: _bps(string.concat(path, ".lltvBps"))
        });
    }

    /// @dev A basis-point field as a WAD.
    function _bps(string memory field) internal view returns (uint256) {
        return _uint(field, ConstantsLib.WAD / BPS_TO_WAD) * BPS_TO_WAD;
    }

    /// @dev A required unsigned field, at most `max`.
    function _uint(string memory field, uint256 max) internal view returns (uint256 value) {
        if (!vm.keyExistsJson(config, field)) revert MissingConfig(field);
        value = vm.parseJsonUint(config, field);
        if (value > max) revert InvalidConfig(field, string.concat("above ", vm.toString(max)));
    }

    /// @dev A string field ("" when absent).
    function _string(string memory field) internal view returns (string memory) {
        return vm.keyExistsJson(config, field) ? vm.parseJsonString(config, field) : "";
    }

    /* OUTPUT */

    function _write(
        string memory outPath,
        Deployment memory d,
        CreditModel memory model,
        Roles memory roles,
        bool mocks,
        uint256 startBlock
    ) internal {
        string memory o = "deployment";
        vm.serializeUint(o, "chainId", block.chainid);
        vm.serializeString(o, "config", vm.parseJsonString(config, ".name"));
        vm.serializeBool(o, "mocks", mocks);
        vm.serializeBytes32(o, "modelId", model.modelId);
        vm.serializeUint(o, "startBlock", startBlock);
        vm.serializeAddress(o, "deployer", broadcaster);
        vm.serializeAddress(o, "owner", roles.owner);
        vm.serializeAddress(o, "attestor", roles.attestor);
        vm.serializeAddress(o, "keeper", roles.keeper);
        vm.serializeAddress(o, "riskManager", roles.riskManager);
        vm.serializeAddress(o, "pauser", roles.pauser);
        vm.serializeAddress(o, "loanToken", d.loanToken);
        vm.serializeAddress(o, "collateralToken", d.collateralToken);
        vm.serializeAddress(o, "priceFeed", d.priceFeed);
        vm.serializeAddress(o, "creditVerifier", d.creditVerifier);
        string memory verifiers;
        for (uint256 i; i < model.circuits.length; ++i) {
            verifiers =
                vm.serializeAddress("verifiers", vm.toString(model.circuits[i].slots), model.circuits[i].verifier);
        }
        vm.serializeString(o, "verifiers", verifiers);
        vm.serializeAddress(o, "registry", d.registry);
        vm.serializeAddress(o, "oracle", d.oracle);
        vm.serializeAddress(o, "lending", d.lending);
        string memory json = vm.serializeAddress(o, "batchLiquidator", d.batchLiquidator);
        vm.createDir(".cache/deploy", true);
        vm.writeJson(json, outPath);
        console2.log("zkrisk deployment written to", outPath);
    }
}

