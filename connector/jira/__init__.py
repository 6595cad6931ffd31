"""The outbound port to Jira and Confluence: clients, retries, ADF."""
