"""Private Q&A over local folders: loaders, chunker, embedders, index (Chroma + FTS5), retriever, watcher."""
