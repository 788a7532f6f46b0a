"""One module per rule. Each defines a module-level ``Rule`` and registers its checks with
``@rule.visit(NodeType)``; the registry imports every module here."""
