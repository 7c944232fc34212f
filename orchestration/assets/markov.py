"""The Markov removal effects: a Python step between dbt models.

It reads dbt model `int_markov_transitions` and writes the dbt source table
`attribution.markov_removal_effects`, which the attribution models read next.
"""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration.resources import WarehouseResource
from throughline.markov import TRANSITIONS_TABLE

MARKOV_KEY = AssetKey(["attribution", "markov_removal_effects"])
TRANSITIONS_KEY = AssetKey(TRANSITIONS_TABLE.split("."))


@asset(
    key=MARKOV_KEY,
    deps=[TRANSITIONS_KEY],
    group_name="intermediate",
    owners=["team:marketing-analytics"],
    kinds={"python", "markov"},
    pool="warehouse",
    description=(
        "Markov-chain attribution: how much each channel's removal would cut conversions "
        "(removal effect). The Markov attribution model splits credit in proportion to it."
    ),
)
def markov_removal_effects(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    from throughline.markov import write_removal_effects

    target = warehouse.get()
    with target.lock():
        effects = write_removal_effects(target)
    context.log.info("Markov removal effects written for %d channels", len(effects))
    return MaterializeResult(
        metadata={
            "channels": len(effects),
            **{f"removal_effect/{channel}": float(value) for channel, value in effects.items()},
        }
    )
