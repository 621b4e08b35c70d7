"""load_sales_dag.py: an Airflow DAG whose task runs the dataflow job
load_sales with RunJob.

RunJob picks the partition itself, so the task needs no date logic, and a
rerun of an Airflow task can never run a partition twice. With
--idle-exit 99 an invocation that finds nothing claimable exits 99, which
BashOperator turns into a skipped task (its default skip exit code).
The Airflow run id goes with the run as its label: dataflow runs --label
finds it again.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="load_sales",
    start_date=datetime(2025, 11, 1),
    schedule=timedelta(minutes=30),
    catchup=False,
    max_active_runs=1,
    tags=["dataflow"],
) as dag:
    BashOperator(
        task_id="runjob_load_sales",
        # The trailing space keeps Airflow from reading a command that ends
        # in ".sh" as a template file.
        bash_command=(
            "RunJob --drain --idle-exit 99 --label '{{ run_id }}' "
            "/opt/etl/load_sales.sh "
        ),
        # The passkey stays in a file on the worker (mode 0600), not in a
        # rendered template.
        env={
            "DATAFLOW_PROPERTIES": "/etc/dataflow/dataflow.properties",
            "DATAFLOW_PASSKEY_FILE": "/etc/dataflow/passkey",
        },
        append_env=True,
        # RunJob records a failed partition; the next DAG run retries it.
        retries=0,
        execution_timeout=timedelta(hours=4),
    )
